// expect: CE
// detail: error
int main( {
