"""Modules that run inside the Rasa server (Python 3.10, the `.venv-rasa` runtime).

They import Rasa, numpy and what `requirements/rasa.in` lists, and from the rest of `bot` only the
dependency-free `bot.pooling`: the rest of the package is the project's Python 3.11 runtime, which
the Rasa server does not have.
"""
