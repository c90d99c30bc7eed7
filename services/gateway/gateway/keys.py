"""The gateway's signing key pair (RS256). Services get only the public half."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def ensure_keypair(private_path: str, public_path: str) -> None:
    """Create the key pair once; safe when several workers start together."""
    if os.path.exists(private_path) and os.path.exists(public_path):
        return
    os.makedirs(os.path.dirname(private_path), exist_ok=True)
    os.makedirs(os.path.dirname(public_path), exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process won the race; it writes the public half too
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    tmp = public_path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(public_pem)
    os.replace(tmp, public_path)


def read(path: str) -> str:
    with open(path, encoding="ascii") as fh:
        return fh.read()
