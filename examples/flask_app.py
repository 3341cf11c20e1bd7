"""A Flask application with CORS: wrap ``app.wsgi_app`` and give the middleware the app.

``router=app`` lets ``auto_options`` read the routes from ``app.url_map``: the middleware
only sees ``app.wsgi_app``, which has no routes of its own. ``app`` stays a Flask app, so
``flask --app flask_app run``, ``app.test_client()`` and ``gunicorn flask_app:app`` all
serve it with CORS.
"""

from flask import Blueprint, Flask

from wsgicors import CORSMiddleware, CORSPolicy

POLICY = CORSPolicy(
    allow_origins=["https://www.domain.com", "https://*.domain.com"],
    allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
    allow_headers=["Authorization"],
    expose_headers=["ETag"],
    max_age="1h",
    auto_options=True,
)

items = Blueprint("items", __name__, url_prefix="/api/items")
ITEMS = {1: "teapot"}


@items.get("/")
def list_items() -> dict[str, list[int]]:
    return {"items": sorted(ITEMS)}


@items.post("/")
def create_item() -> tuple[dict[str, int], int]:
    ITEMS[len(ITEMS) + 1] = "item"
    return {"id": len(ITEMS)}, 201


@items.route("/<int:item_id>", methods=["GET", "PUT", "DELETE"])
def item(item_id: int) -> dict[str, object]:
    return {"id": item_id, "name": ITEMS.get(item_id)}


app = Flask(__name__)
app.register_blueprint(items)


@app.get("/api/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


app.wsgi_app = CORSMiddleware(app.wsgi_app, POLICY, router=app)  # type: ignore[method-assign]
