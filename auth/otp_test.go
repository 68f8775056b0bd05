package auth

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewOTP(t *testing.T) {
	six := regexp.MustCompile(`^[0-9]{6}$`)
	const n = 100_000
	var first [10]int
	seen := map[string]bool{}
	for range n {
		c := NewOTP()
		require.Regexp(t, six, c)
		first[c[0]-'0']++
		seen[c] = true
	}
	// Each leading digit, 0 included, is about a tenth of the codes (±15 %, far beyond chance).
	for d, k := range first {
		assert.InDelta(t, n/10, k, n/10*0.15, "leading digit %d", d)
	}
	assert.Greater(t, len(seen), n*9/10, "codes hardly repeat")
}

func TestOTPFromIsUniform(t *testing.T) {
	be := func(vs ...uint32) *bytes.Reader {
		var b []byte
		for _, v := range vs {
			b = binary.BigEndian.AppendUint32(b, v)
		}
		return bytes.NewReader(b)
	}
	c, err := otpFrom(be(7))
	require.NoError(t, err)
	assert.Equal(t, "000007", c, "leading zeros are kept")

	c, err = otpFrom(be(otpLimit-1, 1))
	require.NoError(t, err)
	assert.Equal(t, "999999", c, "the last value below the limit is used")

	// Values at or above the limit would make codes 000000…967295 more likely than the rest: drawn again.
	c, err = otpFrom(be(otpLimit, 0xFFFFFFFF, 123456))
	require.NoError(t, err)
	assert.Equal(t, "123456", c)
	assert.Equal(t, uint64(0), uint64(otpLimit)%otpSpace)
	assert.Greater(t, uint64(otpLimit)+otpSpace, uint64(1)<<32)

	_, err = otpFrom(be(otpLimit))
	assert.Error(t, err, "a reader that runs dry is an error, not a biased code")
}

func TestHashOTP(t *testing.T) {
	h := HashOTP(42, "login", "123456")
	assert.Regexp(t, `^[0-9a-f]{64}$`, h)
	assert.Equal(t, h, HashOTP(42, "login", "123456"), "deterministic")
	assert.NotEqual(t, h, HashOTP(43, "login", "123456"), "bound to the user")
	assert.NotEqual(t, h, HashOTP(42, "opt_in", "123456"), "bound to the purpose")
	assert.NotEqual(t, h, HashOTP(42, "login", "123457"))
	assert.NotEqual(t, HashOTP(1, "login", "12"), HashOTP(1, "login1", "2"), "parts cannot run into each other")
	assert.NotEqual(t, HashOTP(11, "login", "123456"), HashOTP(1, "1login", "123456"))
	assert.NotEqual(t, h, HashSecret("123456"), "not the plain SHA-256 of the code")
}
