package brokertest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
)

// jsonBody is a request body encoded as JSON.
type jsonBody struct{ r *bytes.Reader }

func newJSONBody(v any) *jsonBody {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // a test passed a value that cannot be JSON: a bug in the test
	}
	return &jsonBody{r: bytes.NewReader(data)}
}

// readerOrNil keeps a nil *jsonBody from becoming a non-nil io.Reader.
func (b *jsonBody) readerOrNil() io.Reader {
	if b == nil {
		return nil
	}
	return b.r
}

func getenv(key string) string { return os.Getenv(key) }
