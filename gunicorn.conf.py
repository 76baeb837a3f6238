"""gunicorn's settings for riskon, read from the working directory: its logs in riskon's one format."""

from data_sources.logs import logging_config

logconfig_dict = logging_config()
