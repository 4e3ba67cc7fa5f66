package verdict

import (
	"encoding/json"
	"testing"
	"time"

	"mqscope/store"
)

func TestVerdictFilterKnowsEveryCode(t *testing.T) {
	for _, c := range Codes {
		if _, err := store.ParseFilter("verdict:" + string(c)); err != nil {
			t.Errorf("verdict:%s: %v", c, err)
		}
	}
	if _, err := store.ParseFilter("verdict:fine"); err == nil {
		t.Error("verdict:fine was accepted")
	}
}

func TestVerdictRowIsALineOfItsOwnAndFilterable(t *testing.T) {
	st := store.New(store.Options{})
	v := Verdict{Code: Expired, MessageID: "id1", VHost: "/neon_api", Queue: "ux_noconsumer", RequestSeq: 3,
		Detail: "routed to \"ux_noconsumer\" but never delivered", At: time.Date(2026, 12, 3, 9, 0, 1, 0, time.UTC)}
	seq := st.Append(v.Message())
	e, _ := st.Get(seq)
	var line map[string]any
	if err := json.Unmarshal(store.MarshalJSONLine(e), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"event": "verdict", "verdict": "expired", "message_id": "id1", "queue": "ux_noconsumer",
		"vhost": "/neon_api", "seq": float64(seq), "request_seq": float64(3), "detail": v.Detail}
	for k, w := range want {
		if line[k] != w {
			t.Errorf("%s = %v, want %v (line %v)", k, line[k], w, line)
		}
	}
	if _, has := line["latency_ms"]; has {
		t.Error("an expired request has no latency")
	}
	for q, n := range map[string]int{"event:verdict": 1, "verdict:expired": 1, "verdict:replied": 0, "-event:verdict": 0} {
		f, err := store.ParseFilter(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.NewView(f).Len(); got != n {
			t.Errorf("%s matches %d rows, want %d", q, got, n)
		}
	}
}
