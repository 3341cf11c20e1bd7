"""A plain Flask app with no CORS code at all: wsgicors is added from outside."""

from flask import Flask

app = Flask(__name__)


@app.get("/api/hello")
def hello() -> dict[str, str]:
    return {"message": "Hello, cross-origin world!"}
