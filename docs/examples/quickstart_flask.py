"""The quickstart: a Flask API that a page on http://localhost:8000 may call."""

from flask import Flask

from wsgicors import CORSMiddleware, CORSPolicy

app = Flask(__name__)


@app.get("/api/hello")
def hello() -> dict[str, str]:
    return {"message": "Hello, cross-origin world!"}


@app.put("/api/greeting")
def set_greeting() -> dict[str, str]:
    return {"status": "saved"}


app.wsgi_app = CORSMiddleware(
    app.wsgi_app,
    CORSPolicy(
        allow_origins=["http://localhost:8000"],
        allow_methods=["GET", "HEAD", "POST", "PUT"],
    ),
)
