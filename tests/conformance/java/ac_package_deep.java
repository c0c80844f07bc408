// expect: AC
// A main class in a package 18 levels deep: a valid program, judged (the
// search for the main class walks as deep as the judge keeps a build:
// 64 levels), not Compilation Error.
package a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r;

import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		System.out.println(in.nextLong() + in.nextLong());
	}
}
