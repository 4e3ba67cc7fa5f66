package connector_test

import (
	"fmt"

	"mqscope/connector"
	"mqscope/connector/neonwire"
)

// A Neon config names the server and, per service, the RabbitMQ login.
// Passwords print as a mask; keys the library does not know are ignored.
func ExampleParseConfig() {
	cfg, err := connector.ParseConfig("mq_config.json", []byte(`{"MQ": {
		"server": "mq.example.org", "port": "5672",
		"users": {"neon_api_connector": {"user": "neon_api", "password": "s3cret"}},
		"other_tool": {"ignored": true}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	creds, _ := cfg.Credentials("neon_api_connector")
	fmt.Println(cfg.Server, cfg.Port, creds.User, creds.Password)

	_, err = cfg.Credentials("neon_users")
	fmt.Println(err)
	// Output:
	// mq.example.org 5672 neon_api ********
	// service "neon_users" has no credentials in users (known: neon_api_connector); add it under "users" in mq_config.json
}

// A body on the wire is base64 of a JSON string holding the Python repr of
// a dict: what Python's dict_to_b64 writes, byte for byte.
func Example_encodeDecode() {
	body := &neonwire.Dict{}
	body.Set("service", "api_test_endpoint")
	body.Set("history", neonwire.List{neonwire.Tuple{"user", "hi"}})
	body.Set("done", false)
	wire := neonwire.Encode(body)
	fmt.Println(string(wire))

	v, err := neonwire.DecodeNeon(wire)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(neonwire.Repr(v))
	fmt.Println(string(neonwire.ToJSON(v)))
	// Output:
	// Insnc2VydmljZSc6ICdhcGlfdGVzdF9lbmRwb2ludCcsICdoaXN0b3J5JzogWygndXNlcicsICdoaScpXSwgJ2RvbmUnOiBGYWxzZX0i
	// {'service': 'api_test_endpoint', 'history': [('user', 'hi')], 'done': False}
	// {"service":"api_test_endpoint","history":[["user","hi"]],"done":false}
}
