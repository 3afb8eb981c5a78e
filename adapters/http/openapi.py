"""The OpenAPI 3.1 document of the HTTP API (hand-written; ``tests/integration/test_http_api.py`` checks
it against the routes and the real responses)."""

from __future__ import annotations

import copy
from typing import Any

from adapters.http.api_content import POST_FIELDS, SEGMENT_FIELDS
from adapters.http.api_rows import FIELDS, MAX_ROWS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}
_WORKSPACE = {"name": "workspace", "in": "query", "required": False,
              "description": "The token's workspace slug (optional). Any other value is a 404.",
              "schema": {"type": "string"}}
_LANG = {"name": "lang", "in": "query", "required": False,
         "description": "Language of messages and reasons (default: the workspace's).",
         "schema": {"type": "string", "enum": ["id", "en"]}}

SCHEMAS: dict[str, Any] = {
    "SnapshotRow": {
        "type": "object",
        "description": "One value of one metric for one channel and local day (the long "
                       "import format). The key (date, channel, metric, campaign) replaces an "
                       "earlier value.",
        "required": ["date", "channel", "metric", "value"],
        "additionalProperties": False,
        "properties": {
            "date": {"type": "string", "examples": ["2026-11-01", "01/11/2026"],
                     "description": "ISO date or dd/mm/yyyy (the workspace's local day, "
                                    "not after its today)."},
            "channel": {"type": "string", "examples": ["instagram", "instagram:@rival"],
                        "description": "A platform, or platform:handle."},
            "metric": {"type": "string", "examples": ["reach", "jangkauan"],
                       "description": "A stored metric's key or alias (not a derived one)."},
            "value": {"type": ["number", "string"], "minimum": 0, "maximum": 1e12,
                      "description": "A number ≥ 0 (whole for a count such as reach or "
                                     "followers; money may have fractions); a string uses '.' "
                                     "as the decimal point."},
            "campaign": {"type": ["string", "null"], "maxLength": 100},
            "competitor": {"type": ["boolean", "integer", "string", "null"],
                           "description": "yes/no, ya/tidak, true/false, 1/0; null or absent "
                                          "keeps the channel's flag."},
        },
    },
    "SnapshotBatch": {
        "oneOf": [
            {"type": "array", "items": _ref("SnapshotRow"), "minItems": 1,
             "maxItems": MAX_ROWS},
            {"type": "object", "required": ["rows"],
             "properties": {"rows": {"type": "array", "items": _ref("SnapshotRow"),
                                     "minItems": 1, "maxItems": MAX_ROWS}}},
        ],
    },
    "PostRow": {
        "type": "object",
        "description": "A post's attributes and its lifetime values read on `date` (the wide "
                       "import shape with a post_id column, SPEC §11). The key (channel, "
                       "post_id) identifies the post; (post, date, metric) replaces an earlier "
                       "value.",
        "required": ["date", "channel", "post_id", "published_at"],
        "additionalProperties": False,
        "properties": {
            "date": {"type": "string", "examples": ["2026-11-08"],
                     "description": "The day the lifetime values were read (not after today, "
                                    "not before publishing)."},
            "channel": {"type": "string", "examples": ["instagram", "instagram:@rival"]},
            "post_id": {"type": ["string", "integer"], "maxLength": 200},
            "published_at": {"type": "string", "examples": ["2026-11-02T19:30:00+07:00"],
                             "description": "ISO date-time; without an offset, the "
                                            "workspace's local time."},
            "format": {"type": ["string", "null"],
                       "examples": ["feed", "reel", "carousel", "story", "video", "short"]},
            "caption": {"type": ["string", "null"], "maxLength": 5000,
                        "description": "Its hashtags are extracted."},
            "permalink": {"type": ["string", "null"], "maxLength": 500,
                          "examples": ["https://instagram.com/p/abc"]},
            "competitor": {"type": ["boolean", "integer", "string", "null"]},
            **{m: {"type": ["number", "string"], "minimum": 0, "maximum": 1e12,
                   "description": "A whole number ≥ 0."}
               for m in POST_FIELDS if m not in ("date", "channel", "post_id", "published_at",
                                                 "format", "caption", "permalink",
                                                 "competitor")},
        },
    },
    "SegmentRow": {
        "type": "object",
        "description": "One audience bucket of a channel on a day (a gauge).",
        "required": ["date", "channel", "segment"],
        "additionalProperties": False,
        "properties": {
            "date": {"type": "string", "examples": ["2026-11-08"]},
            "channel": {"type": "string", "examples": ["instagram"]},
            "segment": {"type": "string",
                        "examples": ["city:Jakarta", "age:18-24", "gender:female"]},
            "followers": {"type": ["number", "string"], "minimum": 0, "maximum": 1e12},
            "subscribers": {"type": ["number", "string"], "minimum": 0, "maximum": 1e12},
            "competitor": {"type": ["boolean", "integer", "string", "null"]},
        },
    },
    "PostBatch": {
        "oneOf": [
            {"type": "array", "items": _ref("PostRow"), "minItems": 1, "maxItems": MAX_ROWS},
            {"type": "object", "required": ["rows"],
             "properties": {"rows": {"type": "array", "items": _ref("PostRow"),
                                     "minItems": 1, "maxItems": MAX_ROWS}}},
        ],
    },
    "SegmentBatch": {
        "oneOf": [
            {"type": "array", "items": _ref("SegmentRow"), "minItems": 1,
             "maxItems": MAX_ROWS},
            {"type": "object", "required": ["rows"],
             "properties": {"rows": {"type": "array", "items": _ref("SegmentRow"),
                                     "minItems": 1, "maxItems": MAX_ROWS}}},
        ],
    },
    "ContentWriteResult": {
        "type": "object",
        "required": ["workspace", "rows", "posts", "written", "inserted", "replaced"],
        "properties": {
            "workspace": {"type": "string"},
            "rows": {"type": "integer", "description": "Rows received."},
            "posts": {"type": "integer", "description": "Distinct posts in the batch."},
            "written": {"type": "integer", "description": "Values stored."},
            "inserted": {"type": "integer"},
            "replaced": {"type": "integer"},
        },
    },
    "ContentInvalidRows": {
        "type": "object",
        "required": ["error", "message", "invalid_rows", "written", "errors"],
        "properties": {
            "error": {"type": "string", "const": "invalid_rows"},
            "message": {"type": "string"},
            "invalid_rows": {"type": "integer", "const": 1},
            "written": {"type": "integer", "const": 0},
            "errors": {"type": "array", "maxItems": 1, "items": {
                "type": "object", "required": ["index", "field", "code", "reason"],
                "properties": {
                    "index": {"type": ["integer", "null"]},
                    "field": {"type": ["string", "null"], "examples": [
                        *POST_FIELDS, *SEGMENT_FIELDS[2:]]},
                    "code": {"type": "string"},
                    "reason": {"type": "string"}}}},
        },
    },
    "WriteResult": {
        "type": "object",
        "required": ["workspace", "rows", "written", "inserted", "replaced"],
        "properties": {
            "workspace": {"type": "string"},
            "rows": {"type": "integer", "description": "Rows received."},
            "written": {"type": "integer", "description": "Distinct keys stored."},
            "inserted": {"type": "integer", "description": "Keys that were new."},
            "replaced": {"type": "integer", "description": "Keys whose value was replaced."},
        },
    },
    "ImportResult": {
        "type": "object",
        "required": ["workspace", "shape", "lines", "written", "inserted", "replaced"],
        "properties": {
            "workspace": {"type": "string"},
            "shape": {"type": "string", "enum": ["long", "wide"]},
            "lines": {"type": "integer"},
            "written": {"type": "integer"},
            "inserted": {"type": "integer"},
            "replaced": {"type": "integer"},
        },
    },
    "RowError": {
        "type": "object",
        "required": ["index", "field", "code", "reason"],
        "properties": {
            "index": {"type": "integer", "description": "0-based position in the batch."},
            "field": {"type": ["string", "null"], "enum": [*FIELDS, None]},
            "code": {"type": "string", "examples": ["bad_date", "unknown_metric", "negative",
                                                   "duplicate_row"]},
            "reason": {"type": "string"},
            "other_index": {"type": "integer"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable error code."},
            "message": {"type": "string"},
            "line": {"type": ["integer", "null"]},
            "column": {"type": ["string", "null"]},
            "written": {"type": "integer", "const": 0},
        },
    },
    "InvalidRows": {
        "type": "object",
        "required": ["error", "message", "invalid_rows", "written", "errors"],
        "properties": {
            "error": {"type": "string", "const": "invalid_rows"},
            "message": {"type": "string"},
            "invalid_rows": {"type": "integer"},
            "written": {"type": "integer", "const": 0},
            "errors": {"type": "array", "items": _ref("RowError")},
        },
    },
    "Period": {
        "type": "object",
        "required": ["start", "end"],
        "properties": {"label": {"type": "string"}, "start": {"type": "string"},
                       "end": {"type": "string"}, "value": {"type": ["number", "null"]}},
    },
    "KpiAnswer": {
        "type": "object",
        "description": "The JSON of `kpibot ask --json`. For a metric: metric, channel, period, "
                       "value, previous, change_pct; with no metric, the summary; a request "
                       "the bot cannot serve: intent 'error' and an error code.",
        "required": ["intent", "text"],
        "properties": {
            "intent": {"type": "string", "examples": ["kpi", "summary", "error"]},
            "error": {"type": "string"},
            "metric": {"type": "string"},
            "channel": {"type": ["string", "null"]},
            "period": _ref("Period"),
            "value": {"type": ["number", "null"]},
            "previous": _ref("Period"),
            "change_pct": {"type": ["number", "null"]},
            "text": {"type": "string", "description": "The reply exactly as a chat shows it."},
        },
    },
    "Health": {"type": "object", "required": ["status"],
               "properties": {"status": {"type": "string"}}},
    "Readiness": {
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
            "status": {"type": "string", "enum": ["ready", "not_ready"]},
            "checks": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}


def openapi_document() -> dict[str, Any]:
    """The whole document (a fresh dict each call)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KPI Bot API",
            "version": "1",
            "description": "Write snapshots and ask KPI questions over HTTP. Every /api/v1 "
                           "operation needs 'Authorization: Bearer <token>' (create one with "
                           "`kpibot token create --workspace W`); a token reaches its own "
                           "workspace only.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/snapshots": {"post": {
                "operationId": "writeSnapshots",
                "summary": f"Write a batch of at most {MAX_ROWS:,} snapshots, all or none",
                "description": "Idempotent: a row whose key exists replaces its value. Rows "
                               "with the same key inside one batch are refused.",
                "parameters": [_WORKSPACE, _LANG],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("SnapshotBatch")}}},
                "responses": {
                    "200": _json(_ref("WriteResult"), "Every row written."),
                    "400": _json(_ref("Error"), "Not JSON, not a batch, or empty."),
                    **_ERRORS,
                    "413": _json(_ref("Error"), f"More than {MAX_ROWS:,} rows."),
                    "422": _json(_ref("InvalidRows"), "Nothing written: every invalid row "
                                                      "with its reason."),
                },
            }},
            "/api/v1/posts": {"post": {
                "operationId": "writePosts",
                "summary": f"Write at most {MAX_ROWS:,} post rows (attributes and lifetime "
                           "values), all or none",
                "description": "Idempotent: (post, date, metric) written again replaces its "
                               "value. The same rules and sentences as an import file.",
                "parameters": [_WORKSPACE, _LANG],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("PostBatch")}}},
                "responses": {
                    "200": _json(_ref("ContentWriteResult"), "Every row written."),
                    "400": _json(_ref("Error"), "Not JSON, not a batch, or empty."),
                    **_ERRORS,
                    "413": _json(_ref("Error"), f"More than {MAX_ROWS:,} rows."),
                    "422": _json(_ref("ContentInvalidRows"), "Nothing written: the first "
                                                             "invalid row and its reason."),
                },
            }},
            "/api/v1/segments": {"post": {
                "operationId": "writeSegments",
                "summary": f"Write at most {MAX_ROWS:,} audience buckets, all or none",
                "parameters": [_WORKSPACE, _LANG],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("SegmentBatch")}}},
                "responses": {
                    "200": _json(_ref("ContentWriteResult"), "Every row written."),
                    "400": _json(_ref("Error"), "Not JSON, not a batch, or empty."),
                    **_ERRORS,
                    "413": _json(_ref("Error"), f"More than {MAX_ROWS:,} rows."),
                    "422": _json(_ref("ContentInvalidRows"), "Nothing written: the first "
                                                             "invalid row and its reason."),
                },
            }},
            "/api/v1/imports": {"post": {
                "operationId": "importFile",
                "summary": "Import a CSV or XLSX file (the `kpibot import` format)",
                "parameters": [_WORKSPACE, _LANG],
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": {"type": "object", "required": ["file"], "properties": {
                        "file": {"type": "string", "contentMediaType":
                                 "application/octet-stream"}}}}}},
                "responses": {
                    "200": _json(_ref("ImportResult"), "Every row written."),
                    "400": _json(_ref("Error"), "No file part."),
                    **_ERRORS,
                    "413": _json(_ref("Error"), "The file is larger than 20 MB."),
                    "422": _json(_ref("Error"), "Nothing written: the first bad line, its "
                                                "column and reason."),
                },
            }},
            "/api/v1/kpi": {"get": {
                "operationId": "askKpi",
                "summary": "One KPI (or the summary): the answer of `/kpi metric channel "
                           "period`",
                "parameters": [
                    {"name": "metric", "in": "query", "required": False,
                     "schema": {"type": "string", "maxLength": 100}, "example": "reach"},
                    {"name": "channel", "in": "query", "required": False,
                     "schema": {"type": "string", "maxLength": 100}, "example": "instagram"},
                    {"name": "period", "in": "query", "required": False,
                     "schema": {"type": "string", "maxLength": 100}, "example": "minggu ini"},
                    {"name": "now", "in": "query", "required": False,
                     "description": "Fix the clock (ISO-8601), like `ask --now`.",
                     "schema": {"type": "string"}},
                    _WORKSPACE, _LANG,
                ],
                "responses": {
                    "200": _json(_ref("KpiAnswer"), "The answer."),
                    "400": _json(_ref("Error"), "A parameter is not valid."),
                    **_ERRORS,
                    "422": _json(_ref("KpiAnswer"), "The bot could not serve the question "
                                                    "(intent 'error', with the helpful "
                                                    "reply)."),
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "The OpenAPI document.",
                                      "content": {"application/json": {}}}},
            }},
            "/healthz": {"get": {
                "operationId": "healthz", "summary": "The process is up", "security": [],
                "responses": {"200": _json(_ref("Health"), "Up.")},
            }},
            "/readyz": {"get": {
                "operationId": "readyz", "security": [],
                "summary": "The database answers and the chat platforms are connected",
                "responses": {"200": _json(_ref("Readiness"), "Ready."),
                              "503": _json(_ref("Readiness"), "Not ready (see checks).")},
            }},
            "/metrics": {"get": {
                "operationId": "metrics", "summary": "Prometheus metrics", "security": [],
                "responses": {"200": {"description": "Prometheus text format.",
                                      "content": {"text/plain": {}}}},
            }},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A workspace's API token."}},
            "responses": {
                "Unauthorized": _json(_ref("Error"), "The token is missing or not valid."),
                "NotFound": _json(_ref("Error"), "Another workspace (or none): not found."),
            },
            "schemas": copy.deepcopy(SCHEMAS),
        },
    }
