package observe

import (
	"fmt"

	"mqscope/capture"
)

// ReadOnly, set on a Broker, keeps mqscope from changing the broker: no
// consume or peek watches and no requests, and a firehose uses the vhost's
// tracer only when it is already on, never switching it. Private queues
// (a watch's, the session's reply queue) are still declared: they are
// mqscope's own. A nil *ReadOnly means mqscope may change the broker.
type ReadOnly struct {
	// Leave says how to leave read-only mode, completing "to leave
	// read-only mode, …": e.g. "run mqscope without --read-only".
	Leave string
}

// ReadOnlyError is an action refused in read-only mode.
type ReadOnlyError struct {
	Action string // what was refused and why it changes the broker
	Leave  string // how to leave read-only mode
}

func (e *ReadOnlyError) Error() string {
	return "read-only: " + e.Action + "; to leave read-only mode, " + e.Leave
}

// Refuse returns the refusal of action, or nil when r is nil.
func (r *ReadOnly) Refuse(action string) error {
	if r == nil {
		return nil
	}
	return &ReadOnlyError{Action: action, Leave: r.Leave}
}

// RefuseMode refuses the observation modes that change the broker.
func (r *ReadOnly) RefuseMode(m capture.Mode) error {
	switch m {
	case capture.ModeConsume:
		return r.Refuse("consume takes messages away from the service (watch with firehose or tap instead)")
	case capture.ModePeek:
		return r.Refuse("peek takes messages and puts them back, marked redelivered and perhaps reordered (watch with firehose or tap instead)")
	}
	return nil
}

// tracerOff is the refusal to switch on the tracer of vhost, which a
// firehose needs.
func (r *ReadOnly) tracerOff(vhost string) error {
	return r.Refuse(fmt.Sprintf("the firehose of vhost %q needs the broker's tracer, which is off, and mqscope does not switch it on "+
		"(an administrator can run `rabbitmqctl trace_on -p %s`, or watch with tap)", vhost, vhost))
}
