#!/bin/sh
# The image's entry point: bring the database schema up to date, then run the command
# (by default `kpibot serve`). Set KPIBOT_MIGRATE=0 to skip the migration, e.g. on replicas
# when a one-off job or a single replica migrates (see docs/deploy.md).
set -eu
if [ "$#" -eq 0 ]; then
    set -- kpibot serve
fi
if [ "${KPIBOT_MIGRATE:-1}" != "0" ]; then
    kpibot migrate
fi
exec "$@"
