"""Serve Ops Portal: `python -m tests.host_portal [PORT]` (a free port by default).

Prints the address it serves and where the `preheat` it runs was imported from.
"""
import sys

import preheat
from werkzeug.serving import make_server

from . import create_app

server = make_server("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0, create_app(),
                     threaded=True)
print(f"http://127.0.0.1:{server.server_port} {preheat.__file__}", flush=True)
server.serve_forever()
