package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"mqscope/connector"
)

// Management is a small client of RabbitMQ's management HTTP API, used with
// the same service credentials as the AMQP connection: to discover vhosts,
// queues and exchanges for the picker and to switch the firehose tracer.
type Management struct {
	base  string
	user  string
	pass  connector.Secret
	httpc *http.Client
}

// NewManagement returns a management API client at base (such as
// "http://localhost:15672") that logs in with creds.
func NewManagement(base string, creds connector.Credentials) *Management {
	return &Management{
		base:  strings.TrimRight(base, "/"),
		user:  creds.User,
		pass:  creds.Password,
		httpc: &http.Client{Timeout: 10 * time.Second},
	}
}

// URL is the API's base URL.
func (m *Management) URL() string { return m.base }

// APIError is a non-2xx answer of the management API.
type APIError struct {
	Method, Path string
	Status       int
	Reason       string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("management API %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// do sends one request; out (if not nil) receives the decoded JSON answer.
func (m *Management) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.base+path, body)
	if err != nil {
		return fmt.Errorf("management API URL %q: %v", m.base, err)
	}
	req.SetBasicAuth(m.user, m.pass.Reveal())
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.httpc.Do(req)
	if err != nil {
		return fmt.Errorf("management API at %s not reachable (is the rabbitmq_management plugin enabled?): %v", m.base, lastCause(err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode/100 != 2 {
		var e struct{ Reason string }
		_ = json.Unmarshal(data, &e)
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Reason: e.Reason}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("management API %s %s: unexpected answer: %v", method, path, err)
	}
	return nil
}

// VHostInfo is what the management API says about a vhost.
type VHostInfo struct {
	Name        string    `json:"name"`
	Tracing     bool      `json:"tracing"`
	Description string    `json:"description"`
	Tags        VHostTags `json:"tags"`
}

// VHostTags are a vhost's tags. RabbitMQ 3.10 answers with a list, except
// for a vhost made by "rabbitmqctl add_vhost" without tags, whose tags are
// the string "".
type VHostTags []string

// UnmarshalJSON accepts a list of strings or one comma-separated string.
func (t *VHostTags) UnmarshalJSON(data []byte) error {
	var list []string
	if err := json.Unmarshal(data, &list); err == nil {
		*t = list
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*t = nil
	for _, tag := range strings.Split(s, ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			*t = append(*t, tag)
		}
	}
	return nil
}

// NotFound reports whether err is the management API saying that what was
// asked for (a vhost, queue or exchange) does not exist.
func NotFound(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.Status == http.StatusNotFound
}

// VHosts lists the vhosts the user may see.
func (m *Management) VHosts(ctx context.Context) ([]VHostInfo, error) {
	var out []VHostInfo
	return out, m.do(ctx, "GET", "/api/vhosts", nil, &out)
}

// VHost describes one vhost.
func (m *Management) VHost(ctx context.Context, vhost string) (VHostInfo, error) {
	var out VHostInfo
	return out, m.do(ctx, "GET", "/api/vhosts/"+url.PathEscape(vhost), nil, &out)
}

// SetTracing switches the firehose tracer of vhost. The PUT also resets the
// vhost's description and tags unless they are sent back with it (seen on
// 3.10), so they are read first and included.
func (m *Management) SetTracing(ctx context.Context, vhost string, on bool) error {
	info, err := m.VHost(ctx, vhost)
	if err != nil {
		return err
	}
	body := map[string]any{"tracing": on, "description": info.Description, "tags": joinTags(info.Tags)}
	return m.do(ctx, "PUT", "/api/vhosts/"+url.PathEscape(vhost), body, nil)
}

func joinTags(tags []string) string {
	var b bytes.Buffer
	for i, t := range tags {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(t)
	}
	return b.String()
}

// QueueSummary is what the management API says about a queue.
type QueueSummary struct {
	Name      string `json:"name"`
	Messages  int    `json:"messages"`
	Consumers int    `json:"consumers"`
	Durable   bool   `json:"durable"`
}

// QueueDetail is what the management API says about one queue, with its
// kind and arguments.
type QueueDetail struct {
	QueueSummary
	Type      string         `json:"type"` // classic, quorum, stream
	Arguments map[string]any `json:"arguments"`
}

// Queue describes one queue of vhost; NotFound(err) when there is none.
func (m *Management) Queue(ctx context.Context, vhost, name string) (QueueDetail, error) {
	var out QueueDetail
	return out, m.do(ctx, "GET", "/api/queues/"+url.PathEscape(vhost)+"/"+url.PathEscape(name), nil, &out)
}

// Queues lists the queues of vhost.
func (m *Management) Queues(ctx context.Context, vhost string) ([]QueueSummary, error) {
	var out []QueueSummary
	return out, m.do(ctx, "GET", "/api/queues/"+url.PathEscape(vhost), nil, &out)
}

// BoundQueues lists the queues bound to exchange in vhost (each once).
func (m *Management) BoundQueues(ctx context.Context, vhost, exchange string) ([]string, error) {
	var bindings []struct {
		Destination     string `json:"destination"`
		DestinationType string `json:"destination_type"`
	}
	path := "/api/exchanges/" + url.PathEscape(vhost) + "/" + url.PathEscape(exchange) + "/bindings/source"
	if err := m.do(ctx, "GET", path, nil, &bindings); err != nil {
		return nil, err
	}
	var out []string
	for _, b := range bindings {
		if b.DestinationType == "queue" && !slices.Contains(out, b.Destination) {
			out = append(out, b.Destination)
		}
	}
	return out, nil
}

// ExchangeSummary is what the management API says about an exchange.
type ExchangeSummary struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Exchange describes one exchange of vhost, with its type; NotFound(err)
// when there is none.
func (m *Management) Exchange(ctx context.Context, vhost, name string) (ExchangeSummary, error) {
	var out ExchangeSummary
	return out, m.do(ctx, "GET", "/api/exchanges/"+url.PathEscape(vhost)+"/"+url.PathEscape(name), nil, &out)
}

// Exchanges lists the exchanges of vhost.
func (m *Management) Exchanges(ctx context.Context, vhost string) ([]ExchangeSummary, error) {
	var out []ExchangeSummary
	return out, m.do(ctx, "GET", "/api/exchanges/"+url.PathEscape(vhost), nil, &out)
}

// ConnectionSummary is what the management API says about a connection.
type ConnectionSummary struct {
	Name             string         `json:"name"`
	VHost            string         `json:"vhost"`
	User             string         `json:"user"`
	ClientProperties map[string]any `json:"client_properties"`
}

// ClientName is the connection name the client gave (Client.Name).
func (c ConnectionSummary) ClientName() string {
	s, _ := c.ClientProperties["connection_name"].(string)
	return s
}

// Connections lists the broker's connections the user may see.
func (m *Management) Connections(ctx context.Context) ([]ConnectionSummary, error) {
	var out []ConnectionSummary
	return out, m.do(ctx, "GET", "/api/connections", nil, &out)
}

// CloseConnection asks the broker to close a connection, as an operator
// would from the management UI.
func (m *Management) CloseConnection(ctx context.Context, name string) error {
	return m.do(ctx, "DELETE", "/api/connections/"+url.PathEscape(name), nil, nil)
}

// lastCause is the innermost part of a chained error message, such as
// "connection refused" from "Get "…": dial tcp …: connection refused".
func lastCause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}
