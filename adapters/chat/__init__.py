"""The chat platforms: ``platform.py`` (the ``Platform`` protocol and the registry), one
module per platform (``telegram.py``, ``slack.py``), and the terminal (``console.py``)."""
