package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"unsafe"
)

// redisServer is a redis-server child process on loopback, without
// persistence (the fairest setting for a read benchmark).
type redisServer struct {
	cmd  *exec.Cmd
	addr string
}

func startRedis(ctx context.Context, bin string, port int) (*redisServer, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd, err := startListening(ctx, addr, bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--io-threads", "1")
	if err != nil {
		return nil, err
	}
	return &redisServer{cmd: cmd, addr: addr}, nil
}

func (s *redisServer) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// redisClient is a minimal RESP2 client: pipelined MSET for loading and
// MGET decoded straight into float32 rows. It allocates nothing per call
// after warm-up, so Redis is measured, not the client.
type redisClient struct {
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	keys [][]byte // pre-encoded "$<len>\r\nf:<id>\r\n" per row
}

func dialRedis(addr string, rows int) (*redisClient, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	rc := &redisClient{conn: c, r: bufio.NewReaderSize(c, 4<<20), w: bufio.NewWriterSize(c, 4<<20)}
	rc.keys = make([][]byte, rows)
	for id := range rc.keys {
		k := "f:" + strconv.Itoa(id)
		rc.keys[id] = []byte("$" + strconv.Itoa(len(k)) + "\r\n" + k + "\r\n")
	}
	return rc, nil
}

func (c *redisClient) close() { c.conn.Close() }

func (c *redisClient) writeArrayHeader(n int) {
	c.w.WriteByte('*')
	c.w.WriteString(strconv.Itoa(n))
	c.w.WriteString("\r\n")
}

func (c *redisClient) writeBulk(b []byte) {
	c.w.WriteByte('$')
	c.w.WriteString(strconv.Itoa(len(b)))
	c.w.WriteString("\r\n")
	c.w.Write(b)
	c.w.WriteString("\r\n")
}

func (c *redisClient) line() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(l) < 3 || l[len(l)-2] != '\r' {
		return nil, fmt.Errorf("redis: bad line %q", l)
	}
	if l[0] == '-' {
		return nil, errors.New("redis: " + string(l[1:len(l)-2]))
	}
	return l[:len(l)-2], nil
}

func atoi(b []byte) (int, error) {
	n := 0
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 {
		return 0, errors.New("redis: empty number")
	}
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, fmt.Errorf("redis: bad number %q", b)
		}
		n = n*10 + int(ch-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// load writes rows [0, len(data)/cols) with pipelined MSETs of per keys.
func (c *redisClient) load(data []float32, cols, per int) error {
	rows := len(data) / cols
	n := 0
	for lo := 0; lo < rows; lo += per {
		hi := min(lo+per, rows)
		c.writeArrayHeader(1 + 2*(hi-lo))
		c.writeBulk([]byte("MSET"))
		for id := lo; id < hi; id++ {
			c.w.Write(c.keys[id])
			row := data[id*cols : (id+1)*cols]
			c.writeBulk(unsafe.Slice((*byte)(unsafe.Pointer(&row[0])), 4*cols))
		}
		n++
	}
	if err := c.w.Flush(); err != nil {
		return err
	}
	for ; n > 0; n-- {
		l, err := c.line()
		if err != nil {
			return err
		}
		if !bytes.Equal(l, []byte("+OK")) {
			return fmt.Errorf("redis: MSET answered %q", l)
		}
	}
	return nil
}

// mget fetches rows ids into dst (len(ids) x cols, packed).
func (c *redisClient) mget(ids []int64, dst []float32, cols int) error {
	c.writeArrayHeader(1 + len(ids))
	c.w.WriteString("$4\r\nMGET\r\n")
	for _, id := range ids {
		c.w.Write(c.keys[id])
	}
	if err := c.w.Flush(); err != nil {
		return err
	}
	h, err := c.line()
	if err != nil {
		return err
	}
	if h[0] != '*' {
		return fmt.Errorf("redis: MGET answered %q", h)
	}
	n, err := atoi(h[1:])
	if err != nil || n != len(ids) {
		return fmt.Errorf("redis: MGET returned %d values for %d keys (%v)", n, len(ids), err)
	}
	rowBytes := 4 * cols
	out := unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*4)
	for i := 0; i < n; i++ {
		h, err := c.line()
		if err != nil {
			return err
		}
		l, err := atoi(h[1:])
		if err != nil || h[0] != '$' || l != rowBytes {
			return fmt.Errorf("redis: value %d: header %q, want %d bytes", i, h, rowBytes)
		}
		if _, err := ioReadFull(c.r, out[i*rowBytes:(i+1)*rowBytes]); err != nil {
			return err
		}
		if _, err := c.r.Discard(2); err != nil {
			return err
		}
	}
	return nil
}

func ioReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
