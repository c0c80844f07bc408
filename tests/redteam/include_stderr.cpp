// redteam: problem=hello-judge lang=cpp expect=CE within=25
// Finding 5 (issue 15): g++ -pipe let this read the compiler's own error
// pipe until the compile wall limit (60 s at no CPU).
#include "/dev/stderr"
int main() {}
