package observe

import (
	"strings"
	"testing"

	"mqscope/internal/brokertest"
)

func TestCheckSendSaysWhatStandsInTheWay(t *testing.T) {
	c := testClient(t)
	empty := queueIn(t, c, testVHost, "presend")
	check, err := c.CheckSend(testContext(t), testVHost, empty, "1000")
	if err != nil {
		t.Fatal(err)
	}
	if !check.Exists || check.Consumers != 0 || check.OK() || check.Problems[0] != `no consumer on "`+empty+`": the request will expire after 1000 ms` {
		t.Fatalf("check = %+v", check)
	}
	if check.Unknown != "" {
		t.Fatalf("guest may use the management API: %s", check.Unknown)
	}
	missing, err := c.CheckSend(testContext(t), testVHost, "mqscope_test.nowhere", "1000")
	if err != nil || missing.Exists || !strings.Contains(missing.String(), "would be unroutable") {
		t.Fatalf("check of a missing queue = %+v, %v", missing, err)
	}
	ch := channelIn(t, c, testVHost)
	if _, err := ch.Consume(empty, "", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	brokertest.WaitUntil(t, "the consumer", 5e9, func() bool { return brokertest.Inspect(t, testVHost, empty).Consumers == 1 })
	if ok, err := c.CheckSend(testContext(t), testVHost, empty, "1000"); err != nil || !ok.OK() {
		t.Fatalf("check with a consumer = %+v, %v", ok, err)
	}
}

func TestPermissionRegexesAreUnanchored(t *testing.T) {
	for _, c := range []struct {
		regex, resource string
		ok, known       bool
	}{
		{".*", "amq.default", true, true},
		{"", "amq.default", false, true},
		{"^$", "x", false, true},
		{"^mqscope_", "amq.default", false, true},
		{"default", "amq.default", true, true}, // unanchored, as RabbitMQ matches
		{"(?<=x)", "x", false, false},          // PCRE that Go cannot read
	} {
		ok, known := permits(c.regex, c.resource)
		if ok != c.ok || known != c.known {
			t.Errorf("permits(%q, %q) = %v, %v; want %v, %v", c.regex, c.resource, ok, known, c.ok, c.known)
		}
	}
}

func TestCheckSendReadsThePermissionRegexes(t *testing.T) {
	brokertest.Need(t)
	user := "mqscope_test_perm_" + randomHex(4)
	brokertest.Management(t, "PUT", "/api/users/"+user, map[string]string{"password": "pw-" + user, "tags": "administrator"}, nil)
	t.Cleanup(func() { brokertest.Management(t, "DELETE", "/api/users/"+user, nil, nil) })
	brokertest.Management(t, "PUT", "/api/permissions/%2Fmqscope_test/"+user, map[string]string{"configure": ".*", "write": "^mqscope_", "read": ".*"}, nil)
	c := testClientWith(t, `{"server": "127.0.0.1", "users": {"mq_handler": {"user": "`+user+`", "password": "pw-`+user+`"}}}`)
	c.Mgmt = NewManagement(brokertest.ManagementURL, c.Credentials())
	q := queueIn(t, testClient(t), testVHost, "perm")
	check, err := c.CheckSend(testContext(t), testVHost, q, "1000")
	if err != nil {
		t.Fatal(err)
	}
	want := `user "` + user + `" may not write to the default exchange in vhost "/mqscope_test" (permission regex "^mqscope_")`
	if len(check.Problems) != 2 || check.Problems[1] != want {
		t.Fatalf("problems %q; want the no-consumer one and %q", check.Problems, want)
	}
}
