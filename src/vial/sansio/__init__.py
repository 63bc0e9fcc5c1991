"""Flask's ``flask.sansio`` names, for extensions that import them.

Flask splits its app, blueprint and scaffold classes into an I/O-free base
(``flask.sansio``) and the WSGI classes on top, and extensions annotate with the
base: ``from flask.sansio.app import App``. vial has one class of each, so these
modules give those same classes under Flask's paths: ``vial.sansio.app.App`` is
:class:`vial.Vial`, and ``isinstance(app, App)`` holds for every vial app.
"""
