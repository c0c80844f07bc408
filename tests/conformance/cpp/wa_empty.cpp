// expect: WA
// No output at all.
int main()
{
}
