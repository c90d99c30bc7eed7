"""Response schemas of the training API, one module per area: each dumps what its views return
(docs/decisions/0017-response-schemas.md) and is the OpenAPI description of that answer."""
