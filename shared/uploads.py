"""Every route that takes a file, with its size limit: the one list both services read.

Each service's `BodySizeLimitMiddleware` allows these routes their larger body (plus the
multipart framing around a file), and each route's own check reads its file limit from
here too, so the two can never disagree. A route that takes a file (an `UploadFile`, or a
raw `text/csv` body) must be listed: tests/test_uploads.py walks the core's routes and
fails on one that is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

# Multipart framing (boundaries, part headers, the other form fields) around a file.
MULTIPART_OVERHEAD = 64 * 1024

LimitSetting = Literal["max_attachment_bytes", "max_import_bytes", "max_logo_bytes"]


@dataclass(frozen=True, slots=True)
class Upload:
    path: str  # after the API prefix (`/v1`, `/api`); `{...}` stands for one path segment
    limit: LimitSetting  # the setting holding the file's limit in bytes
    multipart: bool  # the file comes in a multipart form (framing allowed on top)


UPLOADS: Mapping[str, Upload] = {
    "claim-attachment": Upload("/claims/{claim_id}/attachments", "max_attachment_bytes", True),
    "authorization-attachment": Upload(
        "/authorizations/{authorization_id}/attachments", "max_attachment_bytes", True
    ),
    "payment-proof": Upload(
        "/remittances/{remittance_id}/payment-proofs", "max_attachment_bytes", True
    ),
    "enrollee-import": Upload("/enrollees/import", "max_import_bytes", False),
    "tenant-logo": Upload("/branding/logo", "max_logo_bytes", True),
}

UploadName = Literal[
    "claim-attachment",
    "authorization-attachment",
    "payment-proof",
    "enrollee-import",
    "tenant-logo",
]


def body_limit(file_limit: int, upload: Upload) -> int:
    """The request body an upload route accepts for a file of `file_limit` bytes."""
    return file_limit + (MULTIPART_OVERHEAD if upload.multipart else 0)


def path_pattern(template: str) -> re.Pattern[str]:
    """Matches a path ending with `template`, each `{...}` one non-empty segment."""
    parts = [
        "[^/]+" if part.startswith("{") and part.endswith("}") else re.escape(part)
        for part in template.strip("/").split("/")
    ]
    return re.compile("/" + "/".join(parts) + "/?$")
