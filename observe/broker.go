package observe

import "mqscope/connector"

// Broker is one login to a RabbitMQ broker as the inspector uses it: AMQP
// through the library's client, and the management API for discovery and
// for switching the firehose tracer.
type Broker struct {
	*connector.Client
	Mgmt *Management
	// ReadOnly, when set, keeps watches and sessions from changing the
	// broker (see ReadOnly).
	ReadOnly *ReadOnly
}

// NewBroker pairs a library client with the management API at
// managementURL, logging in to both with the client's credentials.
func NewBroker(c *connector.Client, managementURL string) *Broker {
	return &Broker{Client: c, Mgmt: NewManagement(managementURL, c.Credentials())}
}
