"""Headers a proxy may not pass on (RFC 9110 7.6.1), plus the length, encoding and host it sets
itself: shared by the gateway's forwarding and the bench's bare proxy, which must filter alike."""

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "content-encoding",
        "host",
    }
)
