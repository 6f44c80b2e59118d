// Command interop drives franz-go (kgo + kadm) line by line for test/interop/franz-go.test.ts and
// franz-go-security.test.ts.
//
// Usage: interop BOOTSTRAP [CLIENT_ID]. Each line on stdin is one command, words separated by
// spaces; each command is answered with exactly one JSON line on stdout: the command's result, or
// {"error": "..."}. Client logs go to stderr at INTEROP_LOG_LEVEL (error|warn|info|debug; default
// warn). The commands mirror the Java program in test/interop/java so that one scenario drives both.
// An error answer carries "errorCode" too when a Kafka error code is behind it (kerr's name).
//
// Transactions (test/interop/transactions-suite.ts): txn-producer TXN_ID TIMEOUT_MS makes the
// process's transactional client (kgo.TransactionalID, kgo.TransactionTimeout) and loads its
// producer ID (InitProducerID, as the Java client's initTransactions); txn-begin, txn-produce
// (produce's records), txn-send-offsets GROUP TOPIC PARTITION=OFFSET..., txn-commit, txn-abort,
// txn-close. kgo commits offsets in a transaction only inside a GroupTransactSession (one client
// that is both the group member and the producer); here the consumer and the transactional
// producer are separate clients, as in the Java and librdkafka programs, so txn-send-offsets
// issues AddOffsetsToTxn and TxnOffsetCommit itself through the transactional client, with the
// generation and member id of this process's consumer when it is a member of GROUP. kgo's
// EndTransaction sends EndTxn only for a transaction that produced records: produce in every
// transaction that sends offsets. Consumers take an isolation level: subscribe TOPIC GROUP
// [ISOLATION] and assign TOPIC[,TOPIC...] PARTITIONS ISOLATION (no group, from the start), with
// ISOLATION read_committed or read_uncommitted (kgo.FetchIsolationLevel).
//
// Security, from the environment: INTEROP_SASL_MECHANISM (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
// with INTEROP_SASL_USERNAME and INTEROP_SASL_PASSWORD; INTEROP_TLS_CA (a PEM file: TLS, trusting
// only that CA), with INTEROP_TLS_CERT and INTEROP_TLS_KEY for a client certificate (mutual TLS).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

type state struct {
	bootstrap string
	clientID  string
	logger    kgo.Logger
	security  []kgo.Opt

	adminClient *kgo.Client
	admin       *kadm.Client
	producer    *kgo.Client
	consumer    *kgo.Client
	group       string
	isolation   string
	txn         *kgo.Client
	txnID       string

	mu         sync.Mutex
	assigned   map[string]map[int32]bool
	rebalances int
}

type obj = map[string]any

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: interop BOOTSTRAP [CLIENT_ID]")
		os.Exit(2)
	}
	s := &state{bootstrap: os.Args[1], clientID: "interop-franz-go", assigned: map[string]map[int32]bool{}}
	if len(os.Args) > 2 {
		s.clientID = os.Args[2]
	}
	s.logger = kgo.BasicLogger(os.Stderr, logLevel(os.Getenv("INTEROP_LOG_LEVEL")), func() string {
		return time.Now().Format("15:04:05.000 ") + s.clientID + " "
	})

	security, err := securityOpts()
	if err != nil {
		fmt.Fprintln(os.Stderr, "security settings:", err)
		os.Exit(2)
	}
	s.security = security

	out := bufio.NewWriter(os.Stdout)
	emit := func(v any) {
		line, err := json.Marshal(v)
		if err != nil {
			line, _ = json.Marshal(obj{"error": "encoding the answer: " + err.Error()})
		}
		out.Write(line)
		out.WriteByte('\n')
		out.Flush()
	}
	emit(obj{"ready": true, "client": "franz-go", "version": moduleVersion("github.com/twmb/franz-go")})

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		words := strings.Fields(in.Text())
		if len(words) == 0 {
			continue
		}
		if words[0] == "exit" {
			break
		}
		answer, err := s.handle(words)
		if err != nil {
			answer = obj{"error": err.Error()}
			var ke *kerr.Error
			if errors.As(err, &ke) {
				answer["errorCode"] = ke.Message
			}
		}
		emit(answer)
	}
	s.closeAll()
	emit(obj{"exited": true})
}

func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func logLevel(name string) kgo.LogLevel {
	switch name {
	case "debug":
		return kgo.LogLevelDebug
	case "info":
		return kgo.LogLevelInfo
	case "error":
		return kgo.LogLevelError
	case "none", "off":
		return kgo.LogLevelNone
	default:
		return kgo.LogLevelWarn
	}
}

func (s *state) base(suffix string) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(s.bootstrap, ",")...), // BOOTSTRAP may list several brokers, comma-separated
		kgo.ClientID(s.clientID + suffix),
		kgo.WithLogger(s.logger),
		kgo.RequestTimeoutOverhead(5 * time.Second),
		kgo.RetryTimeout(20 * time.Second),
	}
	return append(opts, s.security...)
}

// securityOpts reads the SASL and TLS settings from the environment (see the header).
func securityOpts() ([]kgo.Opt, error) {
	var opts []kgo.Opt
	user, pass := os.Getenv("INTEROP_SASL_USERNAME"), os.Getenv("INTEROP_SASL_PASSWORD")
	var mechanism sasl.Mechanism
	switch name := os.Getenv("INTEROP_SASL_MECHANISM"); name {
	case "":
	case "PLAIN":
		mechanism = plain.Auth{User: user, Pass: pass}.AsMechanism()
	case "SCRAM-SHA-256":
		mechanism = scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		mechanism = scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()
	default:
		return nil, fmt.Errorf("unknown SASL mechanism %q", name)
	}
	if mechanism != nil {
		opts = append(opts, kgo.SASL(mechanism))
	}
	if ca := os.Getenv("INTEROP_TLS_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, err
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate in %s", ca)
		}
		// ServerName is left empty: franz-go sets it to the host it dials (127.0.0.1, an IP SAN).
		config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		if cert := os.Getenv("INTEROP_TLS_CERT"); cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, os.Getenv("INTEROP_TLS_KEY"))
			if err != nil {
				return nil, err
			}
			config.Certificates = []tls.Certificate{pair}
		}
		opts = append(opts, kgo.DialTLSConfig(config))
	}
	return opts, nil
}

func (s *state) adm() (*kadm.Client, error) {
	if s.admin == nil {
		cl, err := kgo.NewClient(s.base("-admin")...)
		if err != nil {
			return nil, err
		}
		s.adminClient = cl
		s.admin = kadm.NewClient(cl)
	}
	return s.admin, nil
}

func (s *state) prod() (*kgo.Client, error) {
	if s.producer == nil {
		opts := append(s.base("-producer"),
			kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence is franz-go's default with acks=all
			kgo.ProducerLinger(5*time.Millisecond),
			kgo.RecordDeliveryTimeout(30*time.Second),
		)
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return nil, err
		}
		s.producer = cl
	}
	return s.producer, nil
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// metadataCtx is ctx for kadm's metadata calls (ListTopics): kadm answers those from the
// client's metadata cache (up to MetadataMinAge old) unless authorized operations are asked for,
// and a topic deleted a moment ago must be seen as gone. So ask for them: a real request.
func metadataCtx() (context.Context, context.CancelFunc) {
	c, cancel := ctx()
	return kadm.WithAuthorizedOps(c), cancel
}

func atoi(w []string, i int) (int, error) {
	if i >= len(w) {
		return 0, fmt.Errorf("%s: missing argument %d", w[0], i)
	}
	return strconv.Atoi(w[i])
}

func (s *state) handle(w []string) (obj, error) {
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	switch w[0] {
	case "create-topic": // create-topic TOPIC PARTITIONS [name=value ...]
		partitions, err := atoi(w, 2)
		if err != nil {
			return nil, err
		}
		configs := map[string]*string{}
		for _, kv := range w[3:] {
			name, value, _ := strings.Cut(kv, "=")
			configs[name] = kadm.StringPtr(value)
		}
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		r, err := adm.CreateTopic(c, int32(partitions), -1, configs, w[1])
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, r.ErrMessage)
		}
		return obj{"topic": r.Topic, "topicId": r.ID.String(), "partitions": r.NumPartitions, "replicationFactor": r.ReplicationFactor}, nil

	case "describe-topic":
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := metadataCtx()
		defer cancel()
		topics, err := adm.ListTopics(c, w[1])
		if err != nil {
			return nil, err
		}
		d, ok := topics[w[1]]
		if !ok {
			return nil, fmt.Errorf("topic %s missing from the metadata response", w[1])
		}
		if d.Err != nil {
			return nil, d.Err
		}
		partitions := []obj{}
		for _, p := range d.Partitions.Sorted() {
			if p.Err != nil {
				return nil, fmt.Errorf("partition %d: %w", p.Partition, p.Err)
			}
			partitions = append(partitions, obj{"partition": p.Partition, "leader": p.Leader, "replicas": nonNil(p.Replicas), "isr": nonNil(p.ISR)})
		}
		return obj{"topic": d.Topic, "topicId": d.ID.String(), "internal": d.IsInternal, "partitions": partitions}, nil

	case "create-partitions": // create-partitions TOPIC TOTAL
		total, err := atoi(w, 2)
		if err != nil {
			return nil, err
		}
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		rs, err := adm.UpdatePartitions(c, total, w[1])
		if err != nil {
			return nil, err
		}
		if r := rs[w[1]]; r.Err != nil {
			return nil, fmt.Errorf("%w (%s)", r.Err, r.ErrMessage)
		}
		return obj{"topic": w[1], "partitions": total}, nil

	case "delete-topic":
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		r, err := adm.DeleteTopic(c, w[1])
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, r.ErrMessage)
		}
		return obj{"deleted": w[1]}, nil

	case "list-topics":
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := metadataCtx()
		defer cancel()
		topics, err := adm.ListTopics(c)
		if err != nil {
			return nil, err
		}
		return obj{"topics": nonNil(topics.Names())}, nil

	case "describe-configs":
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		rs, err := adm.DescribeTopicConfigs(c, w[1])
		if err != nil {
			return nil, err
		}
		r, err := rs.On(w[1], nil)
		if err != nil {
			return nil, err
		}
		if r.Err != nil {
			return nil, fmt.Errorf("%w (%s)", r.Err, r.ErrMessage)
		}
		values := map[string]*string{}
		for _, config := range r.Configs {
			values[config.Key] = config.Value
		}
		return obj{"configs": values}, nil

	case "alter-config": // alter-config TOPIC NAME VALUE (incremental SET)
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		rs, err := adm.AlterTopicConfigs(c, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: arg(2), Value: kadm.StringPtr(arg(3))}}, w[1])
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.Err != nil {
				return nil, fmt.Errorf("%w (%s)", r.Err, r.ErrMessage)
			}
		}
		return obj{"altered": w[1]}, nil

	case "describe-cluster":
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		m, err := adm.BrokerMetadata(c)
		if err != nil {
			return nil, err
		}
		nodes := []obj{}
		for _, b := range m.Brokers {
			nodes = append(nodes, obj{"id": b.NodeID, "host": b.Host, "port": b.Port})
		}
		return obj{"clusterId": m.Cluster, "controller": m.Controller, "nodes": nodes}, nil

	case "list-offsets": // list-offsets TOPIC PARTITIONS earliest|latest|TIMESTAMP_MS
		count, err := atoi(w, 2)
		if err != nil {
			return nil, err
		}
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		var listed kadm.ListedOffsets
		switch arg(3) {
		case "earliest":
			listed, err = adm.ListStartOffsets(c, w[1])
		case "latest":
			listed, err = adm.ListEndOffsets(c, w[1])
		default:
			var ms int64
			ms, err = strconv.ParseInt(arg(3), 10, 64)
			if err == nil {
				listed, err = adm.ListOffsetsAfterMilli(c, ms, w[1])
			}
		}
		if err != nil {
			return nil, err
		}
		offsets := make([]int64, count)
		for p := range offsets {
			o, ok := listed.Lookup(w[1], int32(p))
			if !ok {
				return nil, fmt.Errorf("no offset for %s/%d", w[1], p)
			}
			if o.Err != nil {
				return nil, fmt.Errorf("%s/%d: %w", w[1], p, o.Err)
			}
			offsets[p] = o.Offset
		}
		return obj{"offsets": offsets}, nil

	case "group-offsets": // group-offsets GROUP TOPIC PARTITIONS (-1 = none)
		count, err := atoi(w, 3)
		if err != nil {
			return nil, err
		}
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		return fetchOffsets(adm, w[1], arg(2), count)

	case "describe-group":
		adm, err := s.adm()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		gs, err := adm.DescribeGroups(c, w[1])
		if err != nil {
			return nil, err
		}
		g, ok := gs[w[1]]
		if !ok {
			return nil, fmt.Errorf("group %s missing from the response", w[1])
		}
		if g.Err != nil {
			return nil, fmt.Errorf("%w (%s)", g.Err, g.ErrMessage)
		}
		members := []obj{}
		for _, m := range g.Members {
			partitions := []string{}
			if a, ok := m.Assigned.AsConsumer(); ok {
				for _, t := range a.Topics {
					for _, p := range t.Partitions {
						partitions = append(partitions, fmt.Sprintf("%s/%d", t.Topic, p))
					}
				}
			}
			sortPartitions(partitions)
			members = append(members, obj{"memberId": m.MemberID, "clientId": m.ClientID, "partitions": partitions})
		}
		return obj{"group": g.Group, "state": g.State, "protocol": g.Protocol, "members": members}, nil

	case "produce": // produce TOPIC COUNT KEYS PREFIX [START]: record i (START <= i < START+COUNT) has
		// key k(i % KEYS) and value PREFIX-i; answers [partition, offset] per record, in send order
		p, err := s.prod()
		if err != nil {
			return nil, err
		}
		return produceAll(p, w)

	case "txn-producer": // txn-producer TXN_ID TIMEOUT_MS
		if s.txn != nil {
			return nil, errors.New("a transactional producer exists (txn-close first)")
		}
		ms, err := atoi(w, 2)
		if err != nil {
			return nil, err
		}
		opts := append(s.base("-txn"),
			kgo.TransactionalID(w[1]),
			kgo.TransactionTimeout(time.Duration(ms)*time.Millisecond),
			kgo.RequiredAcks(kgo.AllISRAcks()),
			kgo.ProducerLinger(5*time.Millisecond),
			kgo.RecordDeliveryTimeout(30*time.Second),
		)
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		id, epoch, err := cl.ProducerID(c)
		if err != nil {
			cl.Close()
			return nil, err
		}
		s.txn, s.txnID = cl, w[1]
		return obj{"transactionalId": w[1], "timeoutMs": ms, "producerId": id, "epoch": epoch}, nil

	case "txn-begin":
		if s.txn == nil {
			return nil, errNoTxn
		}
		if err := s.txn.BeginTransaction(); err != nil {
			return nil, err
		}
		return obj{"begun": true}, nil

	case "txn-produce": // txn-produce TOPIC COUNT KEYS PREFIX [START]: produce's records, in the transaction
		if s.txn == nil {
			return nil, errNoTxn
		}
		return produceAll(s.txn, w)

	case "txn-send-offsets": // txn-send-offsets GROUP TOPIC PARTITION=OFFSET...
		if s.txn == nil {
			return nil, errNoTxn
		}
		return s.sendOffsets(w[1], arg(2), w[3:])

	case "txn-commit", "txn-abort":
		if s.txn == nil {
			return nil, errNoTxn
		}
		c, cancel := ctx()
		defer cancel()
		commit := w[0] == "txn-commit"
		if commit {
			if err := s.txn.Flush(c); err != nil {
				return nil, err
			}
			if err := s.txn.EndTransaction(c, kgo.TryCommit); err != nil {
				return nil, err
			}
			return obj{"committed": true}, nil
		}
		if err := s.txn.AbortBufferedRecords(c); err != nil {
			return nil, err
		}
		if err := s.txn.EndTransaction(c, kgo.TryAbort); err != nil {
			return nil, err
		}
		return obj{"aborted": true}, nil

	case "txn-close":
		if s.txn == nil {
			return nil, errNoTxn
		}
		s.txn.Close()
		s.txn = nil
		return obj{"closed": true}, nil

	case "subscribe": // subscribe TOPIC GROUP [ISOLATION]
		if s.consumer != nil {
			return nil, errors.New("already subscribed")
		}
		isolation, err := isolationOpts(arg(3))
		if err != nil {
			return nil, err
		}
		opts := append(s.base(""),
			kgo.ConsumerGroup(arg(2)),
			kgo.ConsumeTopics(w[1]),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.DisableAutoCommit(),
			kgo.SessionTimeout(10*time.Second),
			kgo.HeartbeatInterval(500*time.Millisecond),
			kgo.FetchMaxWait(200*time.Millisecond),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, added map[string][]int32) {
				s.mu.Lock()
				defer s.mu.Unlock()
				for t, ps := range added {
					if s.assigned[t] == nil {
						s.assigned[t] = map[int32]bool{}
					}
					for _, p := range ps {
						s.assigned[t][p] = true
					}
				}
				s.rebalances++
			}),
			kgo.OnPartitionsRevoked(s.unassign),
			kgo.OnPartitionsLost(s.unassign),
		)
		if arg(3) == "read_committed" {
			// As the Java client and librdkafka do for a read_committed member (KIP-447): the
			// starting offsets are not read while a transaction's offset commit is pending.
			opts = append(opts, kgo.RequireStableFetchOffsets())
		}
		cl, err := kgo.NewClient(append(opts, isolation...)...)
		if err != nil {
			return nil, err
		}
		s.consumer = cl
		s.group = arg(2)
		s.isolation = arg(3)
		return obj{"subscribed": w[1], "group": arg(2), "isolation": nilIfEmpty(arg(3))}, nil

	case "assign": // assign TOPIC[,TOPIC...] PARTITIONS ISOLATION: no group, from the start
		if s.consumer != nil {
			return nil, errors.New("already subscribed")
		}
		count, err := atoi(w, 2)
		if err != nil {
			return nil, err
		}
		if arg(3) == "" {
			return nil, errors.New("assign: missing ISOLATION")
		}
		isolation, err := isolationOpts(arg(3))
		if err != nil {
			return nil, err
		}
		partitions := map[string]map[int32]kgo.Offset{}
		s.mu.Lock()
		for _, topic := range strings.Split(w[1], ",") {
			partitions[topic] = map[int32]kgo.Offset{}
			s.assigned[topic] = map[int32]bool{}
			for p := int32(0); p < int32(count); p++ {
				partitions[topic][p] = kgo.NewOffset().AtStart()
				s.assigned[topic][p] = true
			}
		}
		s.mu.Unlock()
		opts := append(s.base(""), kgo.ConsumePartitions(partitions), kgo.FetchMaxWait(200*time.Millisecond))
		cl, err := kgo.NewClient(append(opts, isolation...)...)
		if err != nil {
			return nil, err
		}
		s.consumer = cl
		s.group = ""
		s.isolation = arg(3)
		assignment, _ := s.assignment()
		return obj{"assigned": assignment, "isolation": arg(3)}, nil

	case "poll": // poll MILLIS: one poll; the records it returned ([partition, offset, key, value,
		// topic]) and the assignment after it
		if s.consumer == nil {
			return nil, errors.New("not subscribed")
		}
		ms, err := atoi(w, 1)
		if err != nil {
			return nil, err
		}
		c, cancel := context.WithTimeout(context.Background(), time.Duration(ms)*time.Millisecond)
		defer cancel()
		fetches := s.consumer.PollFetches(c)
		var errs []string
		var first error
		fetches.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				errs = append(errs, fmt.Sprintf("%s/%d: %v", t, p, err))
				if first == nil {
					first = err
				}
			}
		})
		if len(errs) > 0 {
			// Wrapping the first keeps its Kafka error code for the answer's errorCode.
			return nil, fmt.Errorf("%s: %w", strings.Join(errs, "; "), first)
		}
		records := []any{}
		fetches.EachRecord(func(r *kgo.Record) {
			records = append(records, []any{r.Partition, r.Offset, string(r.Key), string(r.Value), r.Topic})
		})
		assignment, rebalances := s.assignment()
		return obj{"records": records, "assignment": assignment, "rebalances": rebalances}, nil

	case "commit":
		if s.consumer == nil {
			return nil, errors.New("not subscribed")
		}
		c, cancel := ctx()
		defer cancel()
		if err := s.consumer.CommitUncommittedOffsets(c); err != nil {
			return nil, err
		}
		assignment, _ := s.assignment()
		return obj{"committed": true, "assignment": assignment}, nil

	case "committed": // committed TOPIC PARTITIONS: through the consumer's own connection
		if s.consumer == nil {
			return nil, errors.New("not subscribed")
		}
		count, err := atoi(w, 2)
		if err != nil {
			return nil, err
		}
		return fetchOffsets(kadm.NewClient(s.consumer), s.group, w[1], count)

	case "end-offsets": // end-offsets TOPIC PARTITIONS: through the consumer's own connection, at
		// its isolation level (read_committed: the last stable offsets)
		if s.consumer == nil {
			return nil, errors.New("not subscribed")
		}
		count, err := atoi(w, 2)
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		list := kadm.NewClient(s.consumer).ListEndOffsets
		if s.isolation == "read_committed" {
			list = kadm.NewClient(s.consumer).ListCommittedOffsets
		}
		listed, err := list(c, w[1])
		if err != nil {
			return nil, err
		}
		offsets := make([]int64, count)
		for p := range offsets {
			o, ok := listed.Lookup(w[1], int32(p))
			if !ok || o.Err != nil {
				return nil, fmt.Errorf("no end offset for %s/%d: %v", w[1], p, o.Err)
			}
			offsets[p] = o.Offset
		}
		return obj{"offsets": offsets}, nil

	case "close-consumer":
		if s.consumer == nil {
			return nil, errors.New("not subscribed")
		}
		s.consumer.Close() // leaves the group
		s.consumer = nil
		s.group, s.isolation = "", ""
		s.mu.Lock()
		s.assigned = map[string]map[int32]bool{}
		s.mu.Unlock()
		return obj{"closed": true}, nil
	}
	return nil, fmt.Errorf("unknown command %s", w[0])
}

var errNoTxn = errors.New("no transactional producer (txn-producer first)")

func nilIfEmpty(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func isolationOpts(level string) ([]kgo.Opt, error) {
	switch level {
	case "":
		return nil, nil
	case "read_committed":
		return []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}, nil
	case "read_uncommitted":
		return []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadUncommitted())}, nil
	}
	return nil, fmt.Errorf("unknown isolation level %q", level)
}

// produceAll produces records i (START <= i < START+COUNT) of the produce scheme (w is the command
// line) and waits for every promise; answers their [partition, offset], or the first failure.
func produceAll(p *kgo.Client, w []string) (obj, error) {
	count, err := atoi(w, 2)
	if err != nil {
		return nil, err
	}
	keys, err := atoi(w, 3)
	if err != nil {
		return nil, err
	}
	start := 0
	if len(w) > 5 {
		if start, err = atoi(w, 5); err != nil {
			return nil, err
		}
	}
	prefix := ""
	if len(w) > 4 {
		prefix = w[4]
	}
	acks := make([][2]int64, count)
	errs := make([]error, count)
	var wg sync.WaitGroup
	c, cancel := ctx()
	defer cancel()
	for i := 0; i < count; i++ {
		wg.Add(1)
		n := start + i
		r := &kgo.Record{Topic: w[1], Key: []byte(fmt.Sprintf("k%d", n%keys)), Value: []byte(fmt.Sprintf("%s-%d", prefix, n))}
		p.Produce(c, r, func(r *kgo.Record, err error) {
			defer wg.Done()
			errs[i] = err
			acks[i] = [2]int64{int64(r.Partition), r.Offset}
		})
	}
	wg.Wait()
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if first != nil {
		// Wrapping the first keeps its Kafka error code for the answer's errorCode.
		return nil, fmt.Errorf("%d of %d records failed, the first: %w", failed, count, first)
	}
	return obj{"acks": acks}, nil
}

// sendOffsets adds GROUP's offsets to the open transaction: AddOffsetsToTxn to the transaction
// coordinator, then TxnOffsetCommit to the group coordinator (kgo routes both), as kgo's
// GroupTransactSession does; CONCURRENT_TRANSACTIONS (the previous transaction still ending) is
// retried, as kgo and the Java client do.
func (s *state) sendOffsets(group, topic string, pairs []string) (obj, error) {
	partitions := []kmsg.TxnOffsetCommitRequestTopicPartition{}
	for _, kv := range pairs {
		ps, os, _ := strings.Cut(kv, "=")
		p, err := strconv.Atoi(ps)
		if err != nil {
			return nil, err
		}
		o, err := strconv.ParseInt(os, 10, 64)
		if err != nil {
			return nil, err
		}
		part := kmsg.NewTxnOffsetCommitRequestTopicPartition()
		part.Partition, part.Offset, part.LeaderEpoch = int32(p), o, -1
		partitions = append(partitions, part)
	}
	member, generation := "", int32(-1)
	if s.consumer != nil && s.group == group {
		member, generation = s.consumer.GroupMetadata()
	}
	c, cancel := ctx()
	defer cancel()
	id, epoch, err := s.txn.ProducerID(c)
	if err != nil {
		return nil, err
	}
	retrying := func(name string, do func() error) error {
		for {
			err := do()
			if !errors.Is(err, kerr.ConcurrentTransactions) && !errors.Is(err, kerr.CoordinatorLoadInProgress) {
				return err
			}
			s.logger.Log(kgo.LogLevelInfo, name+" answered "+err.Error()+", retrying")
			select {
			case <-c.Done():
				return fmt.Errorf("%s: %w (still %v)", name, c.Err(), err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	err = retrying("AddOffsetsToTxn", func() error {
		req := kmsg.NewPtrAddOffsetsToTxnRequest()
		req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Group = s.txnID, id, epoch, group
		resp, err := req.RequestWith(c, s.txn)
		if err != nil {
			return err
		}
		return kerr.ErrorForCode(resp.ErrorCode)
	})
	if err != nil {
		return nil, fmt.Errorf("AddOffsetsToTxn: %w", err)
	}
	err = retrying("TxnOffsetCommit", func() error {
		req := kmsg.NewPtrTxnOffsetCommitRequest()
		req.TransactionalID, req.Group, req.ProducerID, req.ProducerEpoch = s.txnID, group, id, epoch
		req.Generation, req.MemberID = generation, member
		t := kmsg.NewTxnOffsetCommitRequestTopic()
		t.Topic, t.Partitions = topic, partitions
		req.Topics = []kmsg.TxnOffsetCommitRequestTopic{t}
		resp, err := req.RequestWith(c, s.txn)
		if err != nil {
			return err
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					return fmt.Errorf("%s/%d: %w", t.Topic, p.Partition, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("TxnOffsetCommit: %w", err)
	}
	return obj{"sent": true, "generation": generation, "memberId": member}, nil
}

func (s *state) unassign(_ context.Context, _ *kgo.Client, removed map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, ps := range removed {
		for _, p := range ps {
			delete(s.assigned[t], p)
		}
	}
}

func (s *state) assignment() ([]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{}
	for t, ps := range s.assigned {
		for p := range ps {
			out = append(out, fmt.Sprintf("%s/%d", t, p))
		}
	}
	sortPartitions(out)
	return out, s.rebalances
}

func fetchOffsets(adm *kadm.Client, group, topic string, count int) (obj, error) {
	c, cancel := ctx()
	defer cancel()
	rs, err := adm.FetchOffsets(c, group)
	if err != nil {
		return nil, err
	}
	offsets := make([]int64, count)
	for p := range offsets {
		offsets[p] = -1
		if o, ok := rs.Lookup(topic, int32(p)); ok {
			if o.Err != nil {
				return nil, fmt.Errorf("%s/%d: %w", topic, p, o.Err)
			}
			offsets[p] = o.At
		}
	}
	return obj{"offsets": offsets}, nil
}

func sortPartitions(names []string) {
	sort.Slice(names, func(i, j int) bool {
		ti, pi, _ := strings.Cut(names[i], "/")
		tj, pj, _ := strings.Cut(names[j], "/")
		if ti != tj {
			return ti < tj
		}
		a, _ := strconv.Atoi(pi)
		b, _ := strconv.Atoi(pj)
		return a < b
	})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *state) closeAll() {
	if s.consumer != nil {
		s.consumer.Close()
	}
	if s.producer != nil {
		s.producer.Close()
	}
	if s.txn != nil {
		s.txn.Close()
	}
	if s.adminClient != nil {
		s.adminClient.Close()
	}
}
