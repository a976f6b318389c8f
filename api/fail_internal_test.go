package api

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A fault of the node is logged for its operator and not told to the
// client: an OS error's text can name the node's files.
func TestInternalErrorsStayInTheLog(t *testing.T) {
	var log bytes.Buffer
	h := &handler{o: Options{Logger: slog.New(slog.NewTextHandler(&log, nil))}}
	w := httptest.NewRecorder()
	h.fail(w, httptest.NewRequest(http.MethodGet, "/balance/alice/COOP", nil), errors.New("write /srv/ledger/000042.log: no space left on device"))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	if body := w.Body.String(); strings.Contains(body, "/srv/ledger") || !strings.Contains(body, "the node failed to answer") {
		t.Fatalf("the client was told %s", body)
	}
	if !strings.Contains(log.String(), "/srv/ledger/000042.log") {
		t.Fatalf("the log lacks the error: %s", log.String())
	}
}
