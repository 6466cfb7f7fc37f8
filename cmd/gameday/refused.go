package main

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"syscall"
)

// refusedLocally reports whether err is a connection that an endpoint on
// this machine (a loopback address) refused, and that endpoint as the
// request named it (scheme://host:port of its URL). The address comes from
// the refused dial itself, so it is right however the endpoint was set:
// AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, a profile's endpoint_url.
// An unreachable AWS is not a local refusal; neither is a local proxy
// refusing a request for another host and port.
func refusedLocally(err error) (string, bool) {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" || !connRefused(op.Err) {
		return "", false
	}
	dialled, ok := op.Addr.(*net.TCPAddr)
	if !ok || !dialled.IP.IsLoopback() {
		return "", false
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return dialled.String(), true
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil || u.Host == "" || !samePort(u, dialled.Port) {
		return "", false
	}
	return u.Scheme + "://" + u.Host, true
}

// connRefused reports whether err is the system's "connection refused":
// ECONNREFUSED, what connect(2) returns on Linux, macOS and the BSDs.
// (Winsock returns WSAECONNREFUSED, 10061, instead, golang/go#45621; the
// CLI does not build for Windows: pkg/localrun uses process groups.)
func connRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// samePort reports whether u, dialled directly, is port: a request sent
// through a proxy dials the proxy's port instead.
func samePort(u *url.URL, port int) bool {
	p := u.Port()
	if p == "" {
		p = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return p == strconv.Itoa(port)
}
