package cli

import (
	"flag"
	"fmt"
	"os"

	"mqscope/appconfig"
	"mqscope/observe"
)

// brokerFlags are the flags every subcommand that talks to RabbitMQ takes.
type brokerFlags struct {
	config   string
	service  string
	readOnly bool
}

func (b *brokerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.config, "config", "", "Neon mq_config.json (default: $NEON_MQ_CONFIG_PATH, then ~/.config/neon/mq_config.json, then ~/.local/share/neon/credentials.json)")
	fs.StringVar(&b.service, "service", "", "service whose credentials to use (default: the only one, else mq_handler)")
	fs.BoolVar(&b.readOnly, "read-only", false, "change nothing on the broker: no consume, peek or publish, tracing used only if already on (also mqscope.read_only in the config)")
}

// loadConfig finds and reads the config, warning once on stderr when the
// file with the passwords is readable by others.
func (b *brokerFlags) loadConfig() (*appconfig.Config, error) {
	cfg, err := appconfig.Load(b.config)
	if err != nil {
		return nil, err
	}
	if cfg.PermWarning != "" {
		fmt.Fprintln(os.Stderr, "mqscope: warning: "+cfg.PermWarning)
	}
	if b.readOnly {
		cfg.SetReadOnlyFlag()
	}
	return cfg, nil
}

// broker loads the config and returns the chosen service's view of the
// broker, with the config.
func (b *brokerFlags) broker() (*observe.Broker, *appconfig.Config, error) {
	cfg, err := b.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	br, err := cfg.NewBroker(defaultService(cfg, b.service))
	return br, cfg, err
}

// defaultService picks the service when --service is not given: the only
// one the config has, else mq_handler (the name the Neon client helper
// always uses). An unknown name is reported by NewClient with the list.
func defaultService(cfg *appconfig.Config, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if len(cfg.UserOrder) == 1 {
		return cfg.UserOrder[0]
	}
	return "mq_handler"
}
