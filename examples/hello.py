"""An application with no CORS code: the gunicorn command lines in gunicorn.md add it."""

from flask import Flask

app = Flask(__name__)


@app.get("/api/hello")
def hello() -> dict[str, str]:
    return {"message": "Hello, cross-origin world!"}
