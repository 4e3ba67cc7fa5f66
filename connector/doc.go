// Package connector is a Go implementation of the Neon MQ connector: it lets
// a Go program be a Neon service, or call one, byte for byte as the Python
// library neon_mq_connector does (docs/wire.md describes the conventions).
//
// # Configuration
//
// LoadConfig reads the Neon mq_config.json from --config style explicit
// paths or Neon's search order ($NEON_MQ_CONFIG_PATH,
// $XDG_CONFIG_HOME/neon/mq_config.json, ~/.local/share/neon/credentials.json).
// The file names the server, the port and, per service name, the RabbitMQ
// login. Keys the library does not know are ignored, as the Python library
// ignores them, so a program may keep its own settings in the same file.
// Errors point at file:line:col and never contain a password (see Secret).
//
// # Clients
//
// NewClient picks a service's login from the config. Options set what the
// Neon format has no keys for: a list of servers to fail over across
// (WithServers), TLS (WithTLS), the connection name and consumer tags the
// broker shows (WithConnectionName, WithConsumerTagPrefix; both default to
// the service name) and the reconnect delays (WithBackoff).
//
// # Services
//
// A Service is a vhost and named consumers, like a Python MQConnector
// subclass. Each Consumer declares its queue with Neon's flags (non-durable,
// non-exclusive, non-auto-delete), takes up to 50 unacknowledged messages,
// decodes each body and calls its Handler, acknowledging afterwards. Within
// a handler, Delivery.Reply answers the request: to the queue its
// routing_key names, with its message_id, as Neon services do. Consumers
// reconnect with backoff; one the broker refuses for good (its queue was
// declared elsewhere with other arguments) stops the service with that
// error.
//
// # Requests
//
// A Requester is send_mq_request for many requests at once: it owns one
// reply queue, fills routing_key and message_id into each request the way
// the Python library does, publishes it with the Neon expiration of 1000 ms
// and matches the reply by context.mq.message_id, else message_id.
// Requester.Send publishes without waiting, like emit_mq_message.
//
// # Bodies
//
// Package connector/neonwire encodes and decodes the Neon body format:
// base64 of a JSON string holding the Python repr of a dict. Values are
// plain Go values (see neonwire.Value); Encode writes what Python's
// dict_to_b64 writes for the same dict.
//
// # Lower layers
//
// Client.Dial and Client.Supervise hand out amqp091-go connections with the
// library's dialing, failover, TLS and reconnect behaviour, for programs
// that need channels of their own (an inspector that binds private queues,
// say). Most programs need neither.
package connector
