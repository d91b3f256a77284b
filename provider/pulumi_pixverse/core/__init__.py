"""The core both front-ends share: the field table (`fields`), the models and rules built from it
(`models`), the account lifecycle (`accounts`) over configured API access (`api_access`), the
read-only questions (`lookups`), the settings' sources (`settings`), the failures users see
(`failures`) and warnings in the engine's log (`engine_log`)."""
