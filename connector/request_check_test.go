package connector

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"mqscope/internal/brokertest"
)

func TestCheckRequestRefusesWhatTheBrokerWouldCloseTheChannelFor(t *testing.T) {
	long := strings.Repeat("q", MaxNameBytes+1)
	bad := []struct {
		queue, expiration, want string
	}{
		{long, "", "queue name is 256 bytes long; RabbitMQ queue names are at most 255 bytes"},
		{"q", "-1", `expiration "-1": give a whole number of milliseconds from 0 to 315360000000`},
		{"q", "1.5", `expiration "1.5"`},
		{"q", " 5", `expiration " 5"`},
		{"q", "+5", `expiration "+5"`},
		{"q", "315360000001", `expiration "315360000001"`},
	}
	for _, tc := range bad {
		err := CheckRequest(tc.queue, RequestOptions{Expiration: tc.expiration})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("CheckRequest(%d-byte queue, expiration %q) = %v, want %q", len(tc.queue), tc.expiration, err, tc.want)
		}
	}
	for _, e := range []string{"", "0", "1000", "315360000000"} {
		if err := CheckRequest(strings.Repeat("q", MaxNameBytes), RequestOptions{Expiration: e}); err != nil {
			t.Errorf("expiration %q, 255-byte name: %v", e, err)
		}
	}
}

// TestRequestWithBadValuesSendsNothing: a name too long or a negative
// expiration fails before anything is sent, with its cause, instead of
// "connection lost" or "may or may not have reached it"; the requester
// goes on working.
func TestRequestWithBadValuesSendsNothing(t *testing.T) {
	c := testClient(t)
	var sent int
	r := newRequester(t, c, RequesterOptions{OnSent: func(Message) { sent++ }})
	queue := uniqueQueue(t, c, "mqscope_check")
	body := dictOf("q", "x")
	if _, err := r.Request(testContext(t), strings.Repeat("q", 300), body, RequestOptions{}); err == nil || !strings.Contains(err.Error(), "at most 255 bytes") {
		t.Errorf("300-byte queue name: %v", err)
	}
	if _, err := r.Send(testContext(t), queue, body, RequestOptions{Expiration: "-1"}); err == nil || !strings.Contains(err.Error(), `expiration "-1"`) {
		t.Errorf("expiration -1: %v", err)
	}
	if sent != 0 {
		t.Fatalf("%d requests went out", sent)
	}
	var noRoute *NoRouteError
	if _, err := r.Request(testContext(t), queue, body, RequestOptions{}); !errors.As(err, &noRoute) {
		t.Fatalf("the requester no longer works: %v", err)
	}
}

// restrictedUser creates a user allowed what perms says in the test vhost,
// deleted when the test ends, and returns a client that logs in as it.
func restrictedUser(t *testing.T, perms map[string]string) (*Client, string) {
	t.Helper()
	brokertest.Need(t)
	user := brokertest.Name("mqscope_perm")
	brokertest.Management(t, http.MethodPut, "/api/users/"+user, map[string]string{"password": "pw", "tags": ""}, nil)
	t.Cleanup(func() { brokertest.Management(t, http.MethodDelete, "/api/users/"+user, nil, nil) })
	brokertest.Management(t, http.MethodPut, "/api/permissions/"+url.PathEscape(testVHost)+"/"+user, perms, nil)
	cfg := fmt.Sprintf(`{"server": "127.0.0.1", "users": {"mq_handler": {"user": %q, "password": "pw"}}}`, user)
	return testClientWithoutProbe(t, cfg), user
}

// TestRequestPermissionErrorsAreOneLine: what the broker refuses a
// requester for lack of permission reads like the watches' errors, naming
// the user, what it may not do and where, with no raw "Exception (403)".
func TestRequestPermissionErrorsAreOneLine(t *testing.T) {
	check := func(t *testing.T, err error, want string) {
		t.Helper()
		var aerr *amqp.Error
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "Exception") || !errors.As(err, &aerr) {
			t.Fatalf("error %v, want %q (and the broker's error behind it)", err, want)
		}
	}
	t.Run("reply queue", func(t *testing.T) {
		c, user := restrictedUser(t, map[string]string{"configure": "^$", "write": ".*", "read": ".*"})
		_, err := c.NewRequester(testContext(t), testVHost, RequesterOptions{})
		check(t, err, fmt.Sprintf("user %q has no permission to create and read its reply queue ", user))
	})
	t.Run("publish", func(t *testing.T) {
		c, user := restrictedUser(t, map[string]string{"configure": ".*", "write": "^$", "read": ".*"})
		r := newRequester(t, c, RequesterOptions{})
		_, err := r.Request(testContext(t), "neon_api_input", dictOf("q", "x"), RequestOptions{})
		check(t, err, fmt.Sprintf(`user %q has no permission to publish to queue "neon_api_input" in vhost %q`, user, testVHost))
	})
	t.Run("declare", func(t *testing.T) {
		// Its own reply queue (uuid4 hex) only.
		c, user := restrictedUser(t, map[string]string{"configure": "^[0-9a-f]{32}$", "write": ".*", "read": ".*"})
		r := newRequester(t, c, RequesterOptions{})
		_, err := r.Request(testContext(t), "mqscope_not_mine", dictOf("q", "x"), RequestOptions{DeclareTarget: true})
		check(t, err, fmt.Sprintf(`user %q has no permission to create queue "mqscope_not_mine" in vhost %q`, user, testVHost))
	})
}
