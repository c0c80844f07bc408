/* lang/java: the class-data-sharing archive (see docs/plugins.md, lang/java).
 *
 * The JDK's own archive (lib/server/classes.jsa, -Xshare:auto) holds the
 * classes a JVM loads to start; a program reading input with Scanner or
 * BufferedReader, using collections, streams and lambdas loads hundreds
 * more from the modules, and spins lambda forms at run time.  An AppCDS
 * archive of those JDK classes (and their archived lambda forms), built
 * once per JDK on the host from a trusted training program, cuts every
 * run's start-up: the run adds -XX:SharedArchiveFile=<archive> once it
 * exists.  Only JDK classes go in (the training program's own are left
 * out, so the archive records no class path and fits -cp /box).  The
 * archive's directory belongs to the judge; the sandbox shows it
 * read-only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>

#include <algocode/plugin.h>

#include "../common/lang_common.h"
#include "cds.h"

/* Trusted training program: the usual input (Scanner, BufferedReader,
 * StreamTokenizer, StringTokenizer, DataInputStream, split, parse*),
 * output (PrintWriter, BufferedOutputStream, printf/format), collections,
 * streams, lambdas, records, big numbers, and the exceptions a program
 * typically catches or dies of, so that a contest program finds nearly
 * every JDK class it loads in the archive (bench/java_startup.sh). */
static const char cds_train[] =
        "import java.io.*;\n"
        "import java.math.BigDecimal;\n"
        "import java.math.BigInteger;\n"
        "import java.util.*;\n"
        "import java.util.function.*;\n"
        "import java.util.stream.*;\n"
        "public class Train {\n"
        "  record P(int x, long y) {}\n"
        "  public static void main(String[] args) throws IOException {\n"
        "    BufferedReader br = new BufferedReader(\n"
        "        new InputStreamReader(System.in));\n"
        "    StreamTokenizer stt = new StreamTokenizer(br);\n"
        "    stt.nextToken();\n"
        "    Scanner sc = new Scanner(\"1 2 3 4.5 x\\nabc def\\n\");\n"
        "    long s = sc.nextLong() + sc.nextInt() + sc.nextLong();\n"
        "    double d = sc.nextDouble();\n"
        "    s += sc.next().length() + (sc.hasNextInt() ? 1 : 0);\n"
        "    sc.nextLine();\n"
        "    String w = sc.nextLine();\n"
        "    String[] parts = w.trim().split(\" \");\n"
        "    s += parts.length + Integer.parseInt(\"7\") + "
        "Long.parseLong(\"8\");\n"
        "    d += Double.parseDouble(\"2.5\") + Double.valueOf(\"1e3\");\n"
        "    DataInputStream din = new DataInputStream(new "
        "BufferedInputStream(\n"
        "        new ByteArrayInputStream(\"12 34\\n\".getBytes()), 1 << "
        "16));\n"
        "    for (int c = din.read(); c >= 0; c = din.read()) s += c;\n"
        "    StringTokenizer tk = new StringTokenizer(\"4 5\");\n"
        "    while (tk.hasMoreTokens()) s += Long.parseLong(tk.nextToken());\n"
        "    List<Integer> l = new ArrayList<>(List.of(3, 1, 2));\n"
        "    Collections.sort(l);\n"
        "    l.sort(Comparator.reverseOrder());\n"
        "    Collections.reverse(l);\n"
        "    Map<String, Integer> m = new HashMap<>();\n"
        "    m.merge(w, 1, Integer::sum);\n"
        "    m.getOrDefault(\"x\", 0);\n"
        "    for (Map.Entry<String, Integer> e : m.entrySet()) s += "
        "e.getValue();\n"
        "    TreeMap<Integer, Integer> tm = new TreeMap<>();\n"
        "    tm.put(1, 2);\n"
        "    tm.floorKey(3);\n"
        "    TreeSet<Long> ts = new TreeSet<>(); ts.add(s); ts.ceiling(0L);\n"
        "    Map<Long, Integer> lm = new LinkedHashMap<>(); lm.put(s, 1);\n"
        "    Set<Long> hs = new HashSet<>(); hs.add(s);\n"
        "    ArrayDeque<Integer> dq = new ArrayDeque<>(); dq.add(1); "
        "dq.pollFirst();\n"
        "    LinkedList<Integer> ll = new LinkedList<>(); ll.add(1);\n"
        "    Stack<Integer> st = new Stack<>(); st.push(1); st.pop();\n"
        "    BitSet bs = new BitSet(); bs.set(3);\n"
        "    PriorityQueue<long[]> pq = new PriorityQueue<>(\n"
        "        (a, b) -> Long.compare(a[0], b[0]));\n"
        "    pq.add(new long[] {1});\n"
        "    pq.poll();\n"
        "    Integer[] boxed = {3, 1, 2};\n"
        "    Arrays.sort(boxed, (a, b) -> b - a);\n"
        "    int[] a = IntStream.range(0, 10).map(x -> x * 2).toArray();\n"
        "    Arrays.sort(a);\n"
        "    Arrays.fill(a, 1);\n"
        "    long[] la = new long[4];\n"
        "    Arrays.sort(la);\n"
        "    s += Arrays.stream(a).sum() + Arrays.binarySearch(a, 1);\n"
        "    char[] cs = w.toCharArray();\n"
        "    Arrays.sort(cs);\n"
        "    s += new String(cs).indexOf('a') + (Character.isDigit(cs[0]) ? 1 "
        ": 0);\n"
        "    String j = l.stream().map(String::valueOf)\n"
        "        .collect(Collectors.joining(\" \"));\n"
        "    List<Integer> f = l.stream().filter(x -> x > 1)\n"
        "        .collect(Collectors.toList());\n"
        "    Function<Integer, Integer> inc = x -> x + 1;\n"
        "    Optional<Integer> mx = f.stream().max(Integer::compare);\n"
        "    s += inc.apply(mx.orElse(0)) + String.join(\",\", "
        "parts).length();\n"
        "    P p = new P(1, 2);\n"
        "    s += p.hashCode() + p.toString().length() + (p.equals(p) ? 1 : "
        "0);\n"
        "    StringBuilder sb = new StringBuilder();\n"
        "    sb.append(s).append(' ').append(j).append(d).append('\\n')\n"
        "        .append(String.format(\"%.3f %d %s\", 1.5, 2, \"x\"));\n"
        "    sb.reverse();\n"
        "    sb.reverse();\n"
        "    try {\n"
        "      new StringTokenizer(\"\").nextToken();\n"
        "    } catch (NoSuchElementException e) {\n"
        "      s++;\n"
        "    }\n"
        "    try {\n"
        "      Integer.parseInt(\"x\");\n"
        "    } catch (NumberFormatException e) {\n"
        "      e.printStackTrace(new "
        "PrintStream(OutputStream.nullOutputStream()));\n"
        "    }\n"
        "    PrintWriter pw = new PrintWriter(new BufferedWriter(\n"
        "        new OutputStreamWriter(System.out)));\n"
        "    pw.println(sb);\n"
        "    pw.printf(\"%d%n\", a[3]);\n"
        "    pw.print(String.valueOf(d) + Long.toString(s) + Math.sqrt(d));\n"
        "    pw.flush();\n"
        "    BufferedOutputStream bo = new BufferedOutputStream(System.out);\n"
        "    bo.write((\"\" + s + \" \" + d + \" \" + 'c' + \" \" + (s > 0) + "
        "\"\\n\").getBytes());\n"
        "    bo.flush();\n"
        "    System.out.println(Math.max(1, 2) + \" \" +\n"
        "        new BigInteger(\"123\").multiply(BigInteger.TEN).mod(\n"
        "            BigInteger.valueOf(7)) + \" \" +\n"
        "        new BigDecimal(\"1.5\").add(BigDecimal.ONE));\n"
        "    System.out.print(s);\n"
        "    System.out.println();\n"
        "  }\n"
        "}\n";

/* $1 dir, $2 archive, $3 java, $4 javac; the JVM flags of the runs (the
 * GC must match) are fixed here. */
static const char cds_script[] =
        "D=$1; A=$2; J=$3; JC=$4\n"
        "F='-XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable'\n"
        "B=\"$D/.build.$$\"\n"
        "(\n"
        "  rm -rf \"$B\" && mkdir -p \"$B\" &&\n"
        "  \"$JC\" -J-Xshare:auto -d \"$B\" \"$D/.src/Train.java\" &&\n"
        "  echo 1 | \"$J\" $F -Xshare:off \"-XX:DumpLoadedClassList=$B/all\" "
        "\\\n"
        "    -cp \"$B\" Train &&\n"
        "  grep -v Train \"$B/all\" >\"$B/jdk\" &&\n"
        "  \"$J\" $F -Xshare:dump \"-XX:SharedClassListFile=$B/jdk\" \\\n"
        "    \"-XX:SharedArchiveFile=$B/a.jsa\" &&\n"
        "  chmod 644 \"$B/a.jsa\" && mv -f \"$B/a.jsa\" \"$A\"\n"
        "  rm -rf \"$B\" \"$D/.lock\"\n"
        ") </dev/null >/dev/null 2>&1 &\n";

static int cds_spawn(const char *dir, const char *archive, const char *java,
                     const char *javac)
{
	const char *argv[] = {"/bin/sh", "-c", cds_script, "sh", dir,
	                      archive,   java, javac,      NULL};
	char path[4200];
	int ret;

	snprintf(path, sizeof(path), "%s/.lock", dir);
	if (lc_build_lock(path) < 0)
		return 0; /* being built */
	snprintf(path, sizeof(path), "%s/.src", dir);
	ret = lc_mkdirs(path);
	if (ret == 0) {
		snprintf(path, sizeof(path), "%s/.src/Train.java", dir);
		ret = lc_write_file(path, cds_train);
	}
	if (ret == 0)
		ret = lc_spawn_build(argv);
	if (ret < 0) {
		snprintf(path, sizeof(path), "%s/.lock", dir);
		unlink(path);
	}
	return ret;
}

int java_cds_prepare(const char *dir, const char *java, const char *javac,
                     const char *version, char *archive, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	int ret;

	for (const char *s = java; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *s = version; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	/* A new training program makes a new archive. */
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *s = cds_train; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	if (snprintf(archive, len, "%s/%016llx.jsa", dir,
	             (unsigned long long)h) >= (int)len ||
	    strlen(dir) > 4000)
		return -ENAMETOOLONG;
	if ((ret = lc_mkdirs(dir)) < 0)
		return ret;
	if (access(archive, R_OK) == 0)
		return 0;
	return cds_spawn(dir, archive, java, javac);
}
