// Package natsembed starts NATS servers with JetStream in-process: one, or
// a cluster of several on loopback. Tests and the local multi-node demo use
// it; production nodes connect to a real cluster instead.
//
// Every server stores JetStream data in files under its own directory and
// fsyncs every write (the SyncAlways option, `sync_interval: always` in a
// server configuration file), so an acknowledged block survives power loss
// on a minority of servers.
package natsembed

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Cluster is a set of in-process NATS servers.
type Cluster struct {
	Servers []*server.Server // nil where a server is stopped
	Opts    []*server.Options
	client  []nats.Option // for natsembed's own connections
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start starts n servers with JetStream, clustered when n > 1, with their
// stores under dir/n0, dir/n1, ..., and waits until JetStream answers.
//
// configure, if given, adjusts each server's options before it starts
// (accounts, users and their permissions, TLS).
func Start(n int, dir string, configure ...func(i int, o *server.Options)) (*Cluster, error) {
	return StartWith(n, dir, Setup{Server: configure})
}

// Setup adjusts a cluster before it starts.
type Setup struct {
	// Server edit each server's options (accounts, users, permissions,
	// TLS).
	Server []func(i int, o *server.Options)
	// Client are the options of natsembed's own connections (credentials,
	// TLS), for servers that require them. Without them, servers with
	// users are asked as their first user.
	Client []nats.Option
}

// StartWith is Start with a Setup.
func StartWith(n int, dir string, setup Setup) (*Cluster, error) {
	configure := setup.Server
	c := &Cluster{client: setup.Client}
	ports := make([]int, 2*n)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	for i := range n {
		o := &server.Options{
			ServerName: fmt.Sprintf("n%d", i),
			Host:       "127.0.0.1",
			Port:       ports[2*i],
			JetStream:  true,
			StoreDir:   filepath.Join(dir, fmt.Sprintf("n%d", i)),
			SyncAlways: true,
			NoLog:      true,
			NoSigs:     true,
		}
		if n > 1 {
			o.Cluster = server.ClusterOpts{Name: "coopera", Host: "127.0.0.1", Port: ports[2*i+1]}
			for j := range n {
				if j != i {
					o.Routes = append(o.Routes, server.RoutesFromStr(fmt.Sprintf("nats://127.0.0.1:%d", ports[2*j+1]))...)
				}
			}
		}
		for _, f := range configure {
			f(i, o)
		}
		c.Opts = append(c.Opts, o)
		c.Servers = append(c.Servers, nil)
	}
	for i := range n {
		if err := c.StartServer(i); err != nil {
			c.Shutdown()
			return nil, err
		}
	}
	if err := c.WaitJetStream(30 * time.Second); err != nil {
		c.Shutdown()
		return nil, err
	}
	return c, nil
}

// StartServer (re)starts server i with its original options and store.
func (c *Cluster) StartServer(i int) error {
	s, err := server.NewServer(c.Opts[i])
	if err != nil {
		return err
	}
	go s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return fmt.Errorf("natsembed: server %d did not start", i)
	}
	c.Servers[i] = s
	return nil
}

// StopServer stops server i, as a crash of that machine would.
func (c *Cluster) StopServer(i int) {
	if s := c.Servers[i]; s != nil {
		s.Shutdown()
		s.WaitForShutdown()
		c.Servers[i] = nil
	}
}

// URL returns server i's client URL.
func (c *Cluster) URL(i int) string { return fmt.Sprintf("nats://127.0.0.1:%d", c.Opts[i].Port) }

// URLs returns the client URLs of the running servers, comma-separated.
func (c *Cluster) URLs() string {
	var u []string
	for i, s := range c.Servers {
		if s != nil {
			u = append(u, c.URL(i))
		}
	}
	return strings.Join(u, ",")
}

// WaitJetStream waits until JetStream answers (a meta leader is elected),
// asking as the servers' first user when they have users.
func (c *Cluster) WaitJetStream(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		var nc *nats.Conn
		opts := c.client
		if u := c.Opts[0].Users; len(u) > 0 && len(opts) == 0 {
			// Servers with users: ask as the first one.
			opts = append(opts, nats.UserInfo(u[0].Username, u[0].Password))
		}
		if nc, err = nats.Connect(c.URLs(), opts...); err == nil {
			js, _ := jetstream.New(nc)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err = js.AccountInfo(ctx)
			cancel()
			nc.Close()
			if err == nil {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("natsembed: JetStream not ready after %v: %w", timeout, err)
}

// Shutdown stops every server.
func (c *Cluster) Shutdown() {
	for i := range c.Servers {
		c.StopServer(i)
	}
}
