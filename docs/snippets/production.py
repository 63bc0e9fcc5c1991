import logging
import os

from vial import Vial, request


def create_app():
    app = Vial(__name__)
    app.config.from_mapping(
        SESSION_COOKIE_SECURE=True,  # the site is served over HTTPS
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    # VIAL_SECRET_KEY=..., VIAL_TRUSTED_HOSTS='["example.com", ".example.com"]'
    app.config.from_prefixed_env()
    app.logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

    @app.get("/healthz")
    def healthz():
        # liveness: the process answers requests; keep it cheap and dependency-free
        return {"status": "ok"}

    @app.errorhandler(500)
    def server_error(error):
        # the traceback is already logged on app.logger; answer without details
        logging.getLogger("errors").error("500 on %s %s", request.method, request.path)
        return {"error": "internal server error"}, 500

    return app
