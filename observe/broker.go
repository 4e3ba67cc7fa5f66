package observe

import (
	"sync"

	"mqscope/connector"
)

// Broker is one login to a RabbitMQ broker as the inspector uses it: AMQP
// through the library's client, and the management API for discovery and
// for switching the firehose tracer.
type Broker struct {
	*connector.Client
	Mgmt *Management
	// ReadOnly, when set, keeps watches and sessions from changing the
	// broker (see ReadOnly).
	ReadOnly *ReadOnly

	// StateDir is where mqscope remembers, between runs, the tracers it
	// switched on (see DefaultStateDir); "" remembers nothing, so a tracer
	// left on by a killed mqscope is then taken for an operator's.
	StateDir string

	tracersOnce sync.Once
	tracers     *tracerRegistry
}

// NewBroker pairs a library client with the management API at
// managementURL, logging in to both with the client's credentials.
func NewBroker(c *connector.Client, managementURL string) *Broker {
	return &Broker{Client: c, Mgmt: NewManagement(managementURL, c.Credentials()), StateDir: DefaultStateDir()}
}

// tracerRegistry is the Broker's register of the tracers its firehoses use.
func (b *Broker) tracerRegistry() *tracerRegistry {
	b.tracersOnce.Do(func() { b.tracers = newTracerRegistry() })
	return b.tracers
}
