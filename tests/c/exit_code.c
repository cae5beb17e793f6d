/* Exits with status 3: checks that the exit status reaches the parent (or the kernel). */
int main(void)
{
	return 3;
}
