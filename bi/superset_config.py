# Superset's configuration for chiso (SUPERSET_CONFIG_PATH points here; `chiso bi` sets it).
# Read by Superset inside .venv-bi, so it imports nothing from chiso. Everything it needs comes
# from the environment `chiso bi` prepares:
#   CHISO_SUPERSET_HOME          metadata (SQLite by default), secret key, logs
#   CHISO_SUPERSET_METADATA_URL  optional: Superset's metadata in another database
import os
from pathlib import Path

_home = Path(os.environ["CHISO_SUPERSET_HOME"])

# Signs sessions and encrypts the stored warehouse password; generated once by `chiso bi`.
SECRET_KEY = (_home / "secret.key").read_text().strip()
SQLALCHEMY_DATABASE_URI = os.environ.get("CHISO_SUPERSET_METADATA_URL") or (
    f"sqlite:///{_home / 'superset.db'}"
)

# Nothing outside this machine. Superset's default policy lets the browser fetch map tiles
# (Mapbox, OpenStreetMap, Carto), fonts from font hosts, and a telemetry pixel that its PyPI
# build renders on every page; chiso's dashboards use none of them, so the policy allows the
# server's own origin only and the browser never asks anyone else.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []

# Numbers as Vietnamese offices write them: 1.234.567,89 (Superset ships no Vietnamese UI
# translation; the dashboards' own labels are Vietnamese).
D3_FORMAT = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", " ₫"],
}

# The marts are small aggregates over published, immutable versions: no result cache needed,
# and a new publication shows at the next refresh.
ROW_LIMIT = 50_000
SQLLAB_CTAS_NO_LIMIT = True
RATELIMIT_STORAGE_URI = "memory://"
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}
LOG_LEVEL = "WARNING"
