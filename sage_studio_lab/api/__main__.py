"""`python -m sage_studio_lab.api [FILE]`: write the OpenAPI document (stdout without FILE)."""

import json
import sys

from . import document

text = json.dumps(document(), indent=1) + "\n"
if len(sys.argv) > 1:
    with open(sys.argv[1], "w") as f:
        f.write(text)
else:
    sys.stdout.write(text)
