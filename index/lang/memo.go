package lang

import "sync"

// stemMemo remembers the stems of words already seen. Words in mail follow
// a Zipf curve, so most tokens are words stemmed many times before; the
// Polish stemmer walks a large trie per word. The memo is bounded: when it
// is full it starts again empty, which costs a few re-stems and never
// grows memory past its cap.
type stemMemo struct {
	mu sync.RWMutex
	m  map[memoKey]string
}

type memoKey struct {
	lang, word string
}

// memoCap bounds the memo's entries (a few tens of MB at the most).
const memoCap = 1 << 18

var memo = &stemMemo{m: make(map[memoKey]string)}

func (c *stemMemo) get(lang, word string) (string, bool) {
	c.mu.RLock()
	s, ok := c.m[memoKey{lang, word}]
	c.mu.RUnlock()
	return s, ok
}

func (c *stemMemo) put(lang, word, stem string) {
	c.mu.Lock()
	if len(c.m) >= memoCap {
		c.m = make(map[memoKey]string)
	}
	c.m[memoKey{lang, word}] = stem
	c.mu.Unlock()
}
