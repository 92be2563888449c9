package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// certBundle is a throwaway certificate authority and a server certificate it
// signed for localhost, 127.0.0.1 and ::1.
type certBundle struct {
	pool    *x509.CertPool // holds the authority only
	cert    tls.Certificate
	certPEM []byte // the server certificate followed by the authority
	keyPEM  []byte // the server key, PKCS #8
}

var shared struct {
	once sync.Once
	b    *certBundle
	err  error
}

// localCert returns the process-wide test certificate, made on first use.
func localCert() (*certBundle, error) {
	shared.once.Do(func() { shared.b, shared.err = newCertBundle() })
	return shared.b, shared.err
}

func newCertBundle() (*certBundle, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})...)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("server key pair: %w", err)
	}
	return &certBundle{pool: pool, cert: cert, certPEM: certPEM, keyPEM: keyPEM}, nil
}

// TLSConfig returns a server TLS configuration with a certificate valid for
// localhost, 127.0.0.1 and ::1, and the pool holding the authority that
// signed it, for the client side. Every server of this package uses the same
// certificate, so one pool verifies all of them.
func TLSConfig(t testing.TB) (server *tls.Config, roots *x509.CertPool) {
	t.Helper()
	b, err := localCert()
	if err != nil {
		t.Fatalf("mailtest: generating the test certificate: %v", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{b.cert}, MinVersion: tls.VersionTLS12}, b.pool
}

// ClientTLSConfig returns a client TLS configuration that trusts the servers
// of this package and nothing else.
func ClientTLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	_, roots := TLSConfig(t)
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}
