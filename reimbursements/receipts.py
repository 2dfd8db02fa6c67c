"""Receipt files: PDF, JPEG or PNG, recognised by their content and not only by their name."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import InvalidReceipt

# Leading bytes of each accepted format, with the file-name extensions that may carry it.
SIGNATURES = (
    (b"%PDF-", (".pdf",)),
    (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", (".png",)),
)


def receipt_validate(upload) -> None:
    """Refuses empty, oversized and disguised files (content that does not match the accepted formats or the name)."""

    def refuse(message, **params):
        raise InvalidReceipt(message, fields={"receipt": [message % params if params else message]}, **params)

    if upload.size == 0:
        refuse(_("The receipt file is empty."))
    if upload.size > settings.RECEIPT_MAX_BYTES:
        refuse(_("The receipt file is larger than %(limit)s bytes."), limit=settings.RECEIPT_MAX_BYTES)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    for signature, extensions in SIGNATURES:
        if head.startswith(signature):
            if not name.endswith(extensions):
                refuse(
                    _("The receipt's file name does not match its content (expected %(extensions)s)."),
                    extensions=", ".join(extensions),
                )
            return
    refuse(_("The receipt must be a PDF, JPEG or PNG file."))


# What a stored receipt is served as, by the extension its name was checked to have.
RECEIPT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def receipt_file(line) -> tuple:
    """The receipt of an expense line to serve: the open file, its content type and the name the visitor gave it."""
    name = line.receipt.name
    extension = "." + name.rsplit(".", 1)[-1].lower()
    return line.receipt.open("rb"), RECEIPT_TYPES[extension], name.rsplit("/", 1)[-1]
