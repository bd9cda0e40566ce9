"""The Jupyter server extension: thin authenticated handlers over the core."""
