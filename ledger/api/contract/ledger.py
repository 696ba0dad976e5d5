"""Public facts about the chain, and this document itself."""

from ledger.api.contract import answer, integer, obj, operation, string

PATHS = {
    "/ledger/head": {
        "get": operation(
            "Number of entries and the head hash of the chain",
            operation_id="getLedgerHead",
            tags=["ledger"],
            responses={
                "200": answer(
                    "The head",
                    obj({"entries": integer(minimum=0), "head_hash": string(pattern="^[0-9a-f]{64}$")}),
                )
            },
        )
    },
    "/openapi.json": {
        "get": operation(
            "This contract as OpenAPI 3.1",
            operation_id="getOpenApi",
            tags=["ledger"],
            responses={
                "200": answer("The OpenAPI document", obj({"openapi": string(), "paths": {"type": "object"}}))
            },
        )
    },
}
