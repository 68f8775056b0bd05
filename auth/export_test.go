package auth

// Tracked is how many windows the limiter holds (for the memory-bound test).
func (l *Limiter) Tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users) + len(l.addrs)
}
