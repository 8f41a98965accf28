"""Entry point for gunicorn (`gunicorn wsgi:app`) and the Flask CLI (`flask --app wsgi ...`)."""

from dotenv import load_dotenv

load_dotenv()

from mentoring import create_app  # noqa: E402

app = create_app()
