// Package api is the HTTP JSON API of a coopera node: NewHandler serves an
// engine's commands and reads over HTTP, as "coopera node -http" does.
//
// The routes, their request and response bodies and every status they
// answer are documented in OpenAPI 3 in openapi.yaml (also in the package
// as OpenAPI); a test checks the file against the handler. In short:
//
//	POST /submit    a command (Content-Type: application/json) -> Receipt
//	GET  /balance   ?account=A&asset=X -> Balance, in base units and in
//	                whole units of the asset
//	GET  /head      the node's head, role and lag -> Head
//
// A command applied, or answered as a duplicate, is 200 with its Receipt;
// a command rejected in its block (it changed nothing but, if it passed
// its signature and nonce checks, its nonce) is 422 with its
// Receipt, whose error names the reason. Every other failure is an RFC 9457
// problem (Content-Type: application/problem+json) with the fields type,
// title, status and detail, and code, the ledger's error code (such as
// invalid_id, unknown_account, not_leader, outcome_unknown) or the API's
// (unauthorized, not_found, method_not_allowed, body_too_large,
// unsupported_media_type). Unknown routes, accounts and assets are 404.
// Times are RFC 3339 strings, amounts strings of base units with the
// asset's decimals beside them.
//
// The handler enforces what a node exposed on a network needs: an optional
// bearer token (Options.Token) checked in constant time, without one a
// check of the Host header against IP addresses, localhost and
// Options.Hosts (so that a web page cannot reach a node on localhost under
// a name it points at 127.0.0.1: DNS rebinding), a bound on the
// request body (413), JSON bodies only (415, so that a web page cannot post
// a form to a node on localhost), and an idempotency key derived from the
// content of an unsigned command that has none, so that a retry is answered
// with the original receipt. Listening, timeouts and the connection cap are
// the server's (see cmd/coopera's node command).
//
// Package client is the Go client of this API.
package api
