package io.gridsentinel.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one OpenSearch 2.19 node in this JVM, bound to 127.0.0.1 only, for the test suite.
 *
 * <pre>
 * java -cp 'target/classes:target/lib/*' io.gridsentinel.testsupport.OpenSearchLauncher HOME_DIR [HTTP_PORT|0] [--exit-on-stdin-close]
 * </pre>
 *
 * stdout carries exactly one protocol line, {@code OPENSEARCH_READY http://127.0.0.1:PORT}; logs go to stderr.
 * SIGTERM (or stdin EOF with --exit-on-stdin-close) closes the node cleanly.
 */
public final class OpenSearchLauncher {

    /** Node's constructor with classpath plugins is protected in 2.x. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }

        @Override
        protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
            // No-op: the default sets a log4j SetOnce we don't need (no OpenSearch log layout here).
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        boolean exitOnStdinClose = false;
        for (String a : args) {
            if (a.equals("--exit-on-stdin-close")) {
                exitOnStdinClose = true;
            } else {
                positional.add(a);
            }
        }
        if (positional.isEmpty()) {
            System.err.println("usage: OpenSearchLauncher HOME_DIR [HTTP_PORT|0] [--exit-on-stdin-close]");
            System.exit(2);
        }
        Path home = Paths.get(positional.get(0)).toAbsolutePath();
        String httpPort = positional.size() > 1 ? positional.get(1) : "0";
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("config"));

        PrintStream out = System.out;
        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("cluster.name", "gridsentinel-tests")
                .put("node.name", "gs-test-node")
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("transport.port", "0")
                // Test machines have small, often nearly full disks: never go read-only or leave shards unassigned.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("indices.breaker.total.use_real_memory", false)
                .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(
                settings, Collections.emptyMap(), home.resolve("config"), () -> "gs-test-node");

        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, CommonAnalysisPlugin.class);
        Node node = new EmbeddedNode(env, plugins);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("OpenSearchLauncher: error while closing node: " + e);
            } finally {
                stopped.countDown();
            }
        }, "gs-opensearch-shutdown"));

        long t0 = System.nanoTime();
        node.start(); // returns after self-election and HTTP bind
        // Single node: replicas can never be assigned. As a node setting this is ignored (OpenSearch#20389),
        // so set it as a persistent cluster setting; new indices then default to 0 replicas and go green.
        node.client().admin().cluster().prepareUpdateSettings()
                .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", 0))
                .get();
        int port = node.injector().getInstance(HttpServerTransport.class)
                .boundAddress().publishAddress().getPort();
        System.err.printf("OpenSearchLauncher: node started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        out.println("OPENSEARCH_READY http://127.0.0.1:" + port);
        out.flush();

        if (exitOnStdinClose) {
            // Parent died or closed the pipe: don't leave an orphan JVM behind.
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // treat like EOF
                }
                System.exit(0);
            }, "gs-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        stopped.await();
    }
}
