"""Entry point for gunicorn (`gunicorn wsgi:app`) and the Flask CLI (`flask --app wsgi ...`)."""

import gc

from dotenv import load_dotenv

load_dotenv()

from mentoring import create_app  # noqa: E402

app = create_app()
# What the app built to start (modules, mappers, compiled statements, templates' environment)
# lives as long as the process: moved out of the garbage collector's generations, the
# collections every request's allocations set off no longer walk it (3-6% of a logged-in page's
# CPU time, measured in-process).
gc.freeze()
