"""The standalone app with the Distributions view answering "ok" (list_speed.py's floor).

The same request goes through everything the list page's does before and
after its view (the session cookie, the login check with the user's row, the
hooks, the headers); only the page's queries and rendering are left out.
"""
from app import create_app

app = create_app()
app.view_functions["preheat.distributions"] = lambda: "ok"
