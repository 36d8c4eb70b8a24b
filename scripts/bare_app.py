"""The bare Flask app the list page is measured against: one endpoint that answers "ok"."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    """Answer "ok"."""
    return "ok"
