package cli

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/connector"
)

// TestTailAndRecordingKeepAMillisecondTimestamp publishes a message as a
// JavaScript or Java producer does, its timestamp in milliseconds, with a
// timestamp header likewise and a header string that is not UTF-8. tail
// used to print {"seq":1,"error":"json: ... year outside of range"} instead
// of the message, and the recording dropped the property; now both show
// and keep the raw numbers and the bytes, and export prints what tail did.
func TestTailAndRecordingKeepAMillisecondTimestamp(t *testing.T) {
	const millis = 1_700_000_000_123
	path := writeConfig(t, "guest")
	c := testClient(t, path)
	queue := "mqscope_cli.millis." + connector.NewMessageID()[:8]
	fillQueue(t, c, queue, 0)
	publishOne(t, c, queue, amqp.Publishing{Body: []byte("from js"), Timestamp: time.Unix(millis, 0),
		Headers: amqp.Table{"sent": time.Unix(millis, 0), "latin1": "caf\xe9"}})
	db := filepath.Join(t.TempDir(), "rec.db")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, code, msg := run(t, ctx, "tail", "--config", path, "--vhost", cliVHost, "--queue", queue,
		"--mode", "consume", "--count", "1", "--record", db)
	if code != 0 {
		t.Fatalf("tail exit %d: %s", code, msg)
	}
	lines := jsonLines(t, out)
	if len(lines) != 1 || lines[0]["body"] != "from js" {
		t.Fatalf("tail printed %s", out)
	}
	if p, _ := lines[0]["properties"].(map[string]any); p["timestamp"] != float64(millis) {
		t.Errorf("properties = %v, want timestamp %d", lines[0]["properties"], millis)
	}
	want := map[string]any{"sent": float64(millis), "latin1": map[string]any{"$str": "Y2Fm6Q=="}}
	if h := lines[0]["headers"]; !reflect.DeepEqual(h, want) {
		t.Errorf("headers = %v, want %v", h, want)
	}
	exported, code, msg := run(t, context.Background(), "export", db)
	if code != 0 || exported != out {
		t.Fatalf("export (exit %d, %s) differs from what tail printed:\n%s\nvs\n%s", code, msg, exported, out)
	}
}

// publishOne publishes pub to queue on the default exchange.
func publishOne(t *testing.T, c *connector.Client, queue string, pub amqp.Publishing) {
	t.Helper()
	conn, err := c.Dial(context.Background(), cliVHost)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.PublishWithContext(context.Background(), "", queue, false, false, pub); err != nil {
		t.Fatal(err)
	}
}
