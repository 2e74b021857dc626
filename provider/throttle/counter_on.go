package throttle

// NewCounterOn returns one limit of failures for a purpose other than
// sign-in (name keeps its keys apart, e.g. "device" for wrong user codes):
// shared by every instance when the session store kv is (Redis), else in
// this process.
func NewCounterOn(kv any, name string, opts Options) Counter {
	if store, ok := kv.(Store); ok {
		return NewShared(store, name, opts)
	}
	return local{New(opts)}
}
